"""Smoke test of benchmarks/parallel.py on a tiny DAG: every case runs for both libraries and the JSON has
the derived figures. Timings are not checked (they depend on the machine); overlap is tested in
tests/kartcore/execution/test_parallel.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.scripts import run_benchmark


@pytest.mark.slow
def test_benchmark_runs_every_case(tmp_path: Path) -> None:
    report = tmp_path / "parallel.json"
    options = ["--leaves", "3", "--sleep", "0.05", "--iterations", "1000", "--repeat", "1", "--json", str(report)]
    completed = run_benchmark("parallel.py", *options, timeout=600)
    assert completed.returncode == 0, completed.stderr
    assert "sleep speed-up 1->4 workers" in completed.stdout
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["libraries"] == ["kartcore", "gokart"]
    cases = [row["case"] for row in summary["rows"]]
    assert "sleep, 4 workers" in cases and "sleep, luigid 2 processes x 2 workers" in cases
    for row in summary["rows"]:
        assert row["kartcore"] > 0 and row["gokart"] > 0
    for library in ("kartcore", "gokart"):
        assert set(summary["derived"][library]) == {
            "sleep_speedup_1_to_4",
            "cpu_speedup_1_to_2",
            "process_cost_per_task_ms",
            "luigid_over_floor",
        }
