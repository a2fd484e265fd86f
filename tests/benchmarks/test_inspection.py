"""Smoke test of benchmarks/inspection.py on a tiny DAG: every case runs and the JSON has every figure.

Timings depend on the machine and are not checked.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.scripts import run_benchmark


def test_benchmark_runs_a_tiny_dag(tmp_path: Path) -> None:
    report = tmp_path / "inspection.json"
    options = ["--tasks", "6", "--repeat", "1", "--directory", str(tmp_path), "--json", str(report)]
    completed = run_benchmark("inspection.py", *options)
    assert completed.returncode == 0, completed.stderr
    assert "| kart tree |" in completed.stdout
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["tasks"] == 6
    assert sorted(summary["median_seconds"]) == ["build walk", "kart clean", "kart show", "kart tree"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inspection.json"]  # the project was removed
