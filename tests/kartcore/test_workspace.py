"""What a DAG needs from its workspaces: outputs and run records kept, the rest listed, and safe removal."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.errors import StorageError
from kartcore.io.storage import storage_for
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


@pytest.fixture
def memory_workspace() -> Iterator[str]:
    """``memory://<store>/ws/`` as every task's workspace (a remote store without a server), emptied afterwards."""
    import fsspec

    store = f"memory://kart-clean-{uuid.uuid4().hex[:8]}"
    luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", f"{store}/ws/")
    yield f"{store}/ws"
    fs = fsspec.filesystem("memory")
    if fs.exists(store):
        fs.rm(store, recursive=True)


def memory_objects(workspace: str) -> list[str]:
    """Every object of the workspace's store (inside the workspace or not), read with fsspec directly."""
    import fsspec

    store = workspace.rsplit("/", 1)[0].removeprefix("memory://")
    return sorted(fsspec.filesystem("memory").find(f"/{store}"))


def put_objects(paths: list[str]) -> None:
    import fsspec

    fsspec.filesystem("memory").pipe({path: b"stale" for path in paths})


def test_remote_workspace_keeps_what_the_dag_needs_and_only_its_prefix_is_touched(memory_workspace: str) -> None:
    kartcore.build(Doubled(raw=Raw()))
    kartcore.build(Doubled(raw=Raw(size=5)))  # another Raw and Doubled: not needed by the first DAG
    store = memory_workspace.rsplit("/", 1)[0]
    temp = f"{memory_workspace}/doubled/.values.json.kart-tmp-1-abc"
    outside = [f"{store}/other/keep.pkl", f"{store}/ws2/x.pkl", f"{store}/wsx"]  # "ws2" only shares the prefix
    put_objects([temp, *outside])
    report = inspect(walk_dag(Doubled(raw=Raw())), protected=Path.cwd())
    assert report.workspaces == [memory_workspace]  # "memory://.../ws/" as configured, without the slash
    assert len(report.kept) == 13 and len(report.unneeded) == 1 + 2 + 5 + 5 + 1
    assert set(report.kept) <= report.needed and temp in report.unneeded
    assert all(path.startswith(memory_workspace + "/") for path in report.kept + report.unneeded)
    assert report.unneeded_bytes() > 0
    before = memory_objects(memory_workspace)
    assert sorted(remove_unneeded(report)) == report.unneeded
    assert len(memory_objects(memory_workspace)) == len(before) - len(report.unneeded)
    assert inspect(walk_dag(Doubled(raw=Raw()))).unneeded == []
    assert {f"/{path.removeprefix('memory://')}" for path in outside} <= set(memory_objects(memory_workspace))
    assert Doubled(raw=Raw()).complete() and Raw().complete()
    assert not Raw(size=5).complete()
    assert kartcore.build(Doubled(raw=Raw())) == {"values": [0, 2, 4], "count": ["3"]}


def test_a_directory_output_in_a_remote_workspace_keeps_its_objects(memory_workspace: str) -> None:
    class RemoteDirectory(luigi.Task):
        def output(self):
            return luigi.LocalTarget(f"{memory_workspace}/tables/")  # output_paths only reads .path

    class UsesRemoteDirectory(kartcore.TaskOnKart):
        def requires(self):
            return RemoteDirectory()

    kept = [f"{memory_workspace}/tables/part-0.csv", f"{memory_workspace}/tables/sub/part-1.csv"]
    put_objects([*kept, f"{memory_workspace}/tables2/part-0.csv"])
    report = inspect(walk_dag(UsesRemoteDirectory()))
    assert report.kept == kept and report.unneeded == [f"{memory_workspace}/tables2/part-0.csv"]


def test_remote_and_local_workspaces_of_one_dag(memory_workspace: str, workspace: Path) -> None:
    kartcore.build(Doubled(raw=Raw(workspace_directory="./resources/")))
    put_objects([f"{memory_workspace}/stale.pkl"])
    (workspace / "stale.pkl").write_text("old")
    report = inspect(walk_dag(Doubled(raw=Raw(workspace_directory="./resources/"))), protected=Path.cwd())
    assert report.workspaces == [memory_workspace, str(workspace)]
    assert report.unneeded == sorted([f"{memory_workspace}/stale.pkl", str(workspace / "stale.pkl")])
    assert len(report.kept) == 13
    remove_unneeded(report)
    assert inspect(walk_dag(Doubled(raw=Raw(workspace_directory="./resources/")))).unneeded == []
    assert workspace.is_dir()


def test_a_refused_remote_listing_is_an_error_not_an_empty_workspace(
    memory_workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fsspec.implementations.memory as memory

    kartcore.build(Raw())
    before = memory_objects(memory_workspace)

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    with monkeypatch.context() as patch, pytest.raises(StorageError) as info:
        patch.setattr(memory.MemoryFileSystem, "find", refuse)
        inspect(walk_dag(Raw()))
    message = str(info.value)
    assert message.startswith(f"cannot list {memory_workspace} recursively: PermissionError: Access Denied.")
    assert "Nothing was treated as missing" in message
    assert memory_objects(memory_workspace) == before


def test_list_files_is_recursive_fresh_and_stays_under_the_prefix(memory_workspace: str) -> None:
    store = memory_workspace.rsplit("/", 1)[0]
    put_objects([f"{memory_workspace}/a.pkl", f"{memory_workspace}/d/e/b.pkl", f"{store}/ws2/c.pkl"])
    remote = storage_for(memory_workspace)
    expected = [f"{memory_workspace}/a.pkl", f"{memory_workspace}/d/e/b.pkl"]
    assert remote.list_files(memory_workspace) == expected
    assert remote.list_files(memory_workspace + "/") == expected
    assert remote.list_files(f"{memory_workspace}/d") == [f"{memory_workspace}/d/e/b.pkl"]
    assert remote.list_files(f"{memory_workspace}/a.pkl") == []  # an object is not a directory
    assert remote.list_files(f"{store}/missing") == []
    put_objects([f"{memory_workspace}/d/new.pkl"])
    assert f"{memory_workspace}/d/new.pkl" in remote.list_files(memory_workspace)


@pytest.mark.parametrize("directory", ["s3://", "memory://", "gs:///"])
def test_a_whole_store_is_refused(directory: str) -> None:
    with pytest.raises(UnsafeWorkspaceError, match="whole"):
        inspect(walk_dag(Raw(workspace_directory=directory)))


def test_file_url_workspace_is_a_local_one(tmp_path: Path) -> None:
    kartcore.build(Raw(workspace_directory=f"file://{tmp_path}/ws"))
    (tmp_path / "ws" / "stale.pkl").write_text("old")
    report = inspect(walk_dag(Raw(workspace_directory=f"file://{tmp_path}/ws")), protected=Path.cwd())
    assert report.workspaces == [str(tmp_path / "ws")]
    assert report.unneeded == [str(tmp_path / "ws" / "stale.pkl")] and len(report.kept) == 6
