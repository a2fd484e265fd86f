"""Smoke test of benchmarks/import_time.py: it runs, imports all three libraries and writes its JSON.

Only the shape of the report is checked. Absolute times depend on the machine, so asserting on
them would make the suite flaky; the benchmark itself reports the target.
"""

from __future__ import annotations

import json
from numbers import Real
from pathlib import Path

from tests.benchmarks.scripts import run_benchmark


def test_benchmark_writes_numbers_for_every_library(tmp_path: Path) -> None:
    report = tmp_path / "import_time.json"
    completed = run_benchmark("import_time.py", "--repeat", "1", "--json", str(report))
    assert completed.returncode == 0, completed.stderr

    summary = json.loads(report.read_text(encoding="utf-8"))
    for name in ("luigi", "kartcore", "gokart"):
        figures = summary["libraries"][name]
        for key in ("median_s", "min_s", "importtime_cumulative_us"):
            assert isinstance(figures[key], Real) and figures[key] > 0, (name, key, figures[key])
        assert isinstance(figures["importtime_self_us"], Real) and figures["importtime_self_us"] >= 0
        assert len(figures["samples_s"]) == 1
    for key in ("kartcore/luigi", "gokart/luigi"):
        assert isinstance(summary["ratios"][key], Real) and summary["ratios"][key] > 0
    for key in ("kartcore-luigi", "gokart-luigi"):
        assert isinstance(summary["differences"][key]["median_s"], Real)
    assert summary["target"]["max_difference_s"] == 0.08
    assert isinstance(summary["target"]["met"], bool)
    assert "kartcore-luigi" in completed.stdout
