"""``kart history``: every cached run of a task class, from the run records."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.kartcore.cli.conftest import kart


def test_history_lists_each_recorded_run(ran_project: Path) -> None:
    result = kart("history", "toy_pipeline.Split", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 runs of toy_pipeline.Split recorded in resources/"
    assert re.fullmatch(r"unique id +finished +time +cached +parameters", lines[1])
    rows = lines[2:]
    assert len(rows) == 2
    assert all(
        re.match(r"[0-9a-f]{32}  20\d\d-\d\d-\d\d \d\d:\d\d:\d\d  \d+\.\d+s +yes +ratio=0\.[36]$", r) for r in rows
    )
    assert {row.rsplit("=", 1)[1] for row in rows} == {"0.6", "0.3"}


def test_history_says_cached_no_when_the_output_is_gone(ran_project: Path) -> None:
    for path in (ran_project / "resources" / "report").iterdir():
        path.unlink()
    result = kart("history", "toy_pipeline.Report", cwd=ran_project)
    assert result.stdout.count(" no ") == 2


def test_history_of_a_task_that_never_ran(ran_project: Path) -> None:
    result = kart("history", "toy_pipeline.Greet", cwd=ran_project)
    assert result.exit_code == 0
    assert result.stdout == (
        "no runs of toy_pipeline.Greet recorded in resources/ "
        "(looked for log/run_record/Greet_*.json and log/task_params/Greet_*.pkl)\n"
    )


def test_history_of_another_workspace(ran_project: Path) -> None:
    (ran_project / "resources").rename(ran_project / "old")
    assert "no runs" in kart("history", "toy_pipeline.Load", cwd=ran_project).stdout
    result = kart("history", "toy_pipeline.Load", "--workspace", "old", cwd=ran_project)
    assert result.stdout.startswith("1 run of toy_pipeline.Load recorded in old/")


def test_history_of_an_unknown_task(ran_project: Path) -> None:
    result = kart("history", "toy_pipeline.Lod", cwd=ran_project)
    assert result.exit_code == 2
    assert "Did you mean: toy_pipeline.Load" in result.stderr


def test_history_of_a_remote_workspace_keeps_its_url(ran_project: Path) -> None:
    workspace = f"memory://kart-cli-{uuid.uuid4().hex[:8]}/ws"
    result = kart("history", "toy_pipeline.Greet", "--workspace", workspace + "/", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"no runs of toy_pipeline.Greet recorded in {workspace}/ "
        "(looked for log/run_record/Greet_*.json and log/task_params/Greet_*.pkl)\n"
    )


def test_history_reports_a_refused_remote_listing(ran_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.implementations.memory as memory

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    monkeypatch.setattr(memory.MemoryFileSystem, "ls", refuse)
    workspace = f"memory://kart-cli-{uuid.uuid4().hex[:8]}/ws"
    result = kart("history", "toy_pipeline.Load", "--workspace", workspace, cwd=ran_project)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"kart: cannot list {workspace}/log/task_params: PermissionError: Access Denied.")
