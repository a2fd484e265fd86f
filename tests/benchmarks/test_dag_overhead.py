"""Smoke test of benchmarks/dag_overhead.py on tiny DAGs: it runs every library and writes its JSON.

Only the shape of the report and the counts are checked; timings depend on the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks.scripts import run_benchmark


def test_benchmark_runs_tiny_dags(tmp_path: Path) -> None:
    report = tmp_path / "dag.json"
    builds = tmp_path / "builds"
    builds.mkdir()
    sizes = ["--sizes", "5,10", "--extra-fanin", "12", "--repeat", "2"]
    completed = run_benchmark("dag_overhead.py", *sizes, "--directory", str(builds), "--json", str(report))
    assert completed.returncode == 0, completed.stderr
    assert "ms/task" in completed.stdout
    summary = json.loads(report.read_text(encoding="utf-8"))
    rows = summary["rows"]
    assert [(r["shape"], r["tasks"]) for r in rows] == [
        ("chain", 5),
        ("chain", 10),
        ("fanin", 5),
        ("fanin", 10),
        ("fanin", 12),
    ]
    assert summary["repeat"] == 2
    assert list(builds.iterdir()) == []  # every build's directory was removed
    for row in rows[:-1]:
        for library in ("kartcore", "luigi"):
            assert len(row[library]["samples"]) == 2
            assert row[library]["seconds"] in row[library]["samples"]
    for row in rows:
        kart = row["kartcore"]
        assert kart["ok"] and kart["seconds"] > 0 and kart["rebuild_seconds"] > 0
        assert kart["rerun_tasks"] == (row["tasks"] if row["shape"] == "chain" else 2)
    assert set(summary["growth"]) == {"chain", "fanin"}
