"""Smoke test of benchmarks/plan.py on a tiny DAG: every case runs (gokart's too) and the JSON has the ratios.

Timings depend on the machine and are not checked; tests/kartcore/inspection/test_plan.py checks that
the plan reads each record once (it scales with the DAG).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.scripts import run_benchmark


def test_benchmark_runs_a_tiny_dag(tmp_path: Path) -> None:
    report = tmp_path / "plan.json"
    options = ["--tasks", "6", "--repeat", "1", "--directory", str(tmp_path), "--json", str(report)]
    completed = run_benchmark("plan.py", *options)
    assert completed.returncode == 0, completed.stderr
    assert "| kart plan |" in completed.stdout and "| gokart build walk |" in completed.stdout
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["tasks"] == 6
    assert sorted(summary["median_seconds"]) == ["build walk", "gokart build walk", "kart plan"]
    assert sorted(summary["ratios"]) == ["kart plan / build walk", "kart plan / gokart build walk"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["plan.json"]  # the projects were removed
