"""What a DAG needs from its workspaces: outputs and run records kept, the rest listed, and safe removal."""

from __future__ import annotations

import os
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.tree import walk_dag
from kartcore.workspace import UnsafeWorkspaceError, inspect, needed_paths, record_paths, remove_unneeded
from tests.conftest import files_under


class Raw(kartcore.TaskOnKart):
    size = luigi.IntParameter(default=3)

    def run(self) -> None:
        self.dump(list(range(self.size)))


class Doubled(kartcore.TaskOnKart):
    raw = kartcore.TaskInstanceParameter()

    def output(self):
        return {"values": self.make_target("doubled/values.json"), "count": self.make_target("doubled/count.txt")}

    def run(self) -> None:
        values = [2 * v for v in self.load("raw")]
        self.dump(values, "values")
        self.dump(str(len(values)), "count")


class Elsewhere(kartcore.TaskOnKart):
    """Writes to a second workspace."""

    def run(self) -> None:
        self.dump("x")


class Both(kartcore.TaskOnKart):
    def requires(self):
        return [Doubled(raw=Raw()), Elsewhere(workspace_directory="./second/")]


class DirectoryOutput(luigi.Task):
    def output(self):
        return luigi.LocalTarget("resources/tables")


class UsesDirectory(kartcore.TaskOnKart):
    def requires(self):
        return DirectoryOutput()

    def run(self) -> None:
        self.dump(1)


def test_needed_paths_are_outputs_and_five_records_per_kart_task(workspace: Path) -> None:
    dag = walk_dag(Doubled(raw=Raw()))
    needed = needed_paths(dag)
    assert len(needed) == 1 + 2 + 5 + 5
    assert all(os.path.isabs(path) and "/./" not in path for path in needed)
    assert str(workspace / "log" / "module_versions" / f"Raw_{Raw().make_unique_id()}.txt") in needed
    assert {os.path.abspath(p) for p in record_paths(Raw())} <= needed


def test_default_relative_workspace_keeps_everything_the_dag_needs(workspace: Path) -> None:
    kartcore.build(Doubled(raw=Raw()))
    kartcore.build(Doubled(raw=Raw(size=5)))  # another Raw and Doubled: not needed by the first DAG
    (workspace / "doubled" / ".values.json.kart-tmp-1-abc").write_text("half")
    report = inspect(walk_dag(Doubled(raw=Raw())), protected=Path.cwd())
    assert report.workspaces == [str(workspace)]
    assert len(report.kept) == 13 and len(report.unneeded) == 1 + 2 + 5 + 5 + 1
    assert str(workspace / "doubled" / ".values.json.kart-tmp-1-abc") in report.unneeded
    assert report.unneeded_bytes() > 0
    removed = remove_unneeded(report)
    assert sorted(removed) == report.unneeded
    assert len(files_under(workspace)) == 13
    assert Doubled(raw=Raw()).complete() and Raw().complete()
    assert not Raw(size=5).complete()
    assert kartcore.build(Doubled(raw=Raw())) == {"values": [0, 2, 4], "count": ["3"]}


def test_every_workspace_of_the_dag_is_inspected(tmp_path: Path, workspace: Path) -> None:
    kartcore.build(Both())
    (tmp_path / "second" / "stale.pkl").write_text("old")
    report = inspect(walk_dag(Both()))
    assert report.workspaces == [str(workspace), str(tmp_path / "second")]
    assert report.unneeded == [str(tmp_path / "second" / "stale.pkl")]


def test_a_directory_output_keeps_its_files(workspace: Path) -> None:
    (workspace / "tables").mkdir(parents=True)
    (workspace / "tables" / "part-0.csv").write_text("a\n")
    kartcore.build(UsesDirectory())
    report = inspect(walk_dag(UsesDirectory()))
    assert str(workspace / "tables" / "part-0.csv") in report.kept
    assert report.unneeded == []


def test_empty_directories_go_but_the_workspace_stays(workspace: Path) -> None:
    kartcore.build(Raw(size=7))
    report = inspect(walk_dag(Doubled(raw=Raw())))
    remove_unneeded(report)
    assert workspace.is_dir()
    assert files_under(workspace) == []
    assert list(workspace.iterdir()) == []


def test_a_missing_workspace_has_nothing_to_clean(workspace: Path) -> None:
    report = inspect(walk_dag(Raw()))
    assert report.kept == [] and report.unneeded == []
    assert remove_unneeded(report) == []


@pytest.mark.parametrize("directory", ["./", ".."])
def test_a_workspace_holding_the_project_is_refused(directory: str) -> None:
    with pytest.raises(UnsafeWorkspaceError, match="contains the project"):
        inspect(walk_dag(Raw(workspace_directory=directory)), protected=Path.cwd())


def test_root_and_home_are_refused() -> None:
    with pytest.raises(UnsafeWorkspaceError, match="root or home"):
        inspect(walk_dag(Raw(workspace_directory="/")))
    with pytest.raises(UnsafeWorkspaceError, match="root or home"):
        inspect(walk_dag(Raw(workspace_directory="~")))


def test_remote_workspaces_are_reported_not_walked() -> None:
    report = inspect(walk_dag(Raw(workspace_directory="s3://bucket/resources/")))
    assert report.remote == ["s3://bucket/resources/"] and report.workspaces == []
