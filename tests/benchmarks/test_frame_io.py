"""Smoke test of benchmarks/frame_io.py on a tiny frame: it runs every implementation and writes its JSON.

Only the shape of the report is checked; timings and memory ratios on a tiny frame mean nothing
and depend on the machine, and the benchmark never fails because of them.
"""

from __future__ import annotations

import importlib.util
import json
from numbers import Real
from pathlib import Path

from tests.benchmarks.scripts import run_benchmark


def test_benchmark_writes_times_ratios_and_memory(tmp_path: Path) -> None:
    report = tmp_path / "frame_io.json"
    arguments = ["--rows", "500", "--repeat", "1", "--formats", "pkl", "--json", str(report)]
    completed = run_benchmark("frame_io.py", *arguments)
    assert completed.returncode == 0, completed.stderr + completed.stdout

    summary = json.loads(report.read_text(encoding="utf-8"))
    implementations = ["raw", "kartcore"] + (["gokart"] if importlib.util.find_spec("gokart") else [])
    assert summary["frame"]["rows"] == 500
    assert list(summary["frame"]["dtypes"]) == ["int64", "float64", "float32", "category", "string"]
    assert set(summary["timings"]) == {"pkl"}  # one format keeps the test fast; the others run the same code
    for fmt in ("pkl",):
        for op in ("dump", "load"):
            cell = summary["timings"][fmt][op]
            assert sorted(cell["seconds"]) == sorted(implementations)
            for figures in cell["seconds"].values():
                assert isinstance(figures["median_s"], Real) and figures["median_s"] > 0
                assert len(figures["samples_s"]) == 1
            assert isinstance(cell["ratios"]["kartcore/raw"], Real)
        assert sorted(summary["memory"][fmt]) == sorted(implementations)
        for figures in summary["memory"][fmt].values():
            assert figures["frame_bytes"] > 0 and figures["peak_bytes"] > 0 and figures["ratio"] >= 0
    assert summary["errors"] == {}
    assert summary["target"]["max_time_ratio"] == 1.25 and summary["target"]["max_memory_ratio"] == 1.5
    assert isinstance(summary["target"]["met"], bool)
    assert "| pkl | dump |" in completed.stdout and "kartcore/raw" in completed.stdout
