"""What a DAG needs from its workspaces: outputs and run records kept, the rest listed, and safe removal."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.errors import StorageError
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.workspace import UnsafeWorkspaceError, inspect, needed_paths, record_paths, remove_unneeded
from kartcore.io.atomic import TEMP_MARKER, host_id
from kartcore.io.storage import join, storage_for
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


def record_kinds(workspace: str | Path) -> int:
    """How many kinds of run record the workspace holds (each task of a DAG that ran has one of each)."""
    return len(storage_for(str(workspace)).list_names(join(str(workspace), "log")))


def test_needed_paths_are_the_outputs_resolved(workspace: Path) -> None:
    dag = walk_dag(Doubled(raw=Raw()))
    needed = needed_paths(dag)
    assert len(needed) == 1 + 2
    assert all(os.path.isabs(path) and "/./" not in path for path in needed)
    assert str(workspace / "doubled" / f"count_{Doubled(raw=Raw()).make_unique_id()}.txt") in needed


def test_every_record_kart_show_lists_is_kept(workspace: Path) -> None:
    kartcore.build(Raw())
    kept = inspect(walk_dag(Raw()), protected=Path.cwd()).kept
    assert {os.path.abspath(p) for p in record_paths(Raw())} <= set(kept)


def test_default_relative_workspace_keeps_everything_the_dag_needs(workspace: Path) -> None:
    kartcore.build(Doubled(raw=Raw()))
    kartcore.build(Doubled(raw=Raw(size=5)))  # another Raw and Doubled: not needed by the first DAG
    (workspace / "doubled" / ".values.json.kart-tmp-1-abc").write_text("half")
    report = inspect(walk_dag(Doubled(raw=Raw())), protected=Path.cwd())
    assert report.workspaces == [str(workspace)]
    records = record_kinds(workspace)
    assert len(report.kept) == 3 + 2 * records and len(report.unneeded) == 1 + 2 + 2 * records
    assert report.in_use == [str(workspace / "doubled" / ".values.json.kart-tmp-1-abc")]  # its writer may run
    assert report.unneeded_bytes() > 0
    removed = remove_unneeded(report)
    assert sorted(removed) == report.unneeded
    assert len(files_under(workspace)) == 3 + 2 * records + 1
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
    with pytest.raises(UnsafeWorkspaceError, match="is a root directory"):
        inspect(walk_dag(Raw(workspace_directory="/")))
    with pytest.raises(UnsafeWorkspaceError, match="contains your home directory"):
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
    records = record_kinds(memory_workspace)
    assert len(report.kept) == 3 + 2 * records and len(report.unneeded) == 1 + 2 + 2 * records + 1
    assert report.needed <= set(report.kept) and temp in report.unneeded  # nothing writes temp objects
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

    record = f"{memory_workspace}/log/task_params/UsesRemoteDirectory_{UsesRemoteDirectory().make_unique_id()}.pkl"
    kept = [record, f"{memory_workspace}/tables/part-0.csv", f"{memory_workspace}/tables/sub/part-1.csv"]
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
    assert len(report.kept) == 3 + 2 * record_kinds(workspace)
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
    assert report.unneeded == [str(tmp_path / "ws" / "stale.pkl")]
    assert len(report.kept) == 1 + record_kinds(tmp_path / "ws")


# --- Paths are compared resolved (issue 12, finding 3) ---------------------------------------------------------


def test_a_workspace_spelled_through_a_symlink_that_holds_the_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)  # "./alias" is the project directory
    (tmp_path / "log" / "task_params").mkdir(parents=True)  # so that only the project check can refuse it
    with pytest.raises(UnsafeWorkspaceError, match="contains the project"):
        inspect(walk_dag(Raw(workspace_directory="./alias/")), protected=Path.cwd())


def test_the_project_spelled_through_a_symlink_is_protected_too(tmp_path: Path) -> None:
    (tmp_path / "real" / "project").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    with pytest.raises(UnsafeWorkspaceError, match="contains the project"):
        inspect(walk_dag(Raw(workspace_directory=str(tmp_path / "real"))), protected=tmp_path / "alias" / "project")


def test_two_spellings_of_one_workspace_keep_what_either_needs(tmp_path: Path, workspace: Path) -> None:
    """Walked through one spelling, the files needed under the other must not look unneeded (and be deleted)."""
    workspace.mkdir()
    (tmp_path / "alias").symlink_to(workspace, target_is_directory=True)
    dag = walk_dag(Doubled(raw=Raw(workspace_directory="./alias/")))  # Doubled writes to ./resources/
    kartcore.build(Doubled(raw=Raw(workspace_directory="./alias/")))
    (workspace / "stale.pkl").write_text("old")
    report = inspect(dag, protected=Path.cwd())
    assert report.workspaces == [str(workspace)]  # one workspace, listed once, by its real path
    assert report.unneeded == [str(workspace / "stale.pkl")]
    assert len(report.kept) == 3 + 2 * record_kinds(workspace)
    remove_unneeded(report)
    assert Doubled(raw=Raw(workspace_directory="./alias/")).complete()


def test_a_symlinked_directory_inside_the_workspace_is_never_followed(tmp_path: Path, workspace: Path) -> None:
    kartcore.build(Raw())
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "precious.txt").write_text("keep me")
    (workspace / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    report = inspect(walk_dag(Raw()), protected=Path.cwd())
    remove_unneeded(report)
    assert (tmp_path / "elsewhere" / "precious.txt").read_text() == "keep me"
    assert (workspace / "linked").is_symlink()


# --- Home directories and directories that are not kartcore workspaces (finding 5) -----------------------------


@pytest.mark.parametrize("spelling", ["direct", "symlink"])
def test_a_workspace_containing_the_home_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    users = tmp_path / "users"
    (users / "me" / "notes").mkdir(parents=True)
    (users / "me" / "notes" / "diary.txt").write_text("mine")
    (users / "log" / "task_params").mkdir(parents=True)  # looks like a kartcore workspace otherwise
    if spelling == "symlink":
        (tmp_path / "alias").symlink_to(users, target_is_directory=True)
        monkeypatch.setenv("HOME", str(tmp_path / "alias" / "me"))
    else:
        monkeypatch.setenv("HOME", str(users / "me"))
    with pytest.raises(UnsafeWorkspaceError, match=r"contains your home directory .*refusing to clean it"):
        inspect(walk_dag(Raw(workspace_directory=str(users))), protected=Path.cwd())
    assert (users / "me" / "notes" / "diary.txt").read_text() == "mine"


@pytest.mark.parametrize("layout", [["photo.jpg"], ["log/syslog", "data/table.csv"]])
def test_a_directory_without_kartcore_run_records_is_refused(tmp_path: Path, layout: list[str]) -> None:
    """``/srv/data`` or ``/var`` (which has a ``log/`` of its own) are not workspaces, whatever a config says."""
    for relative in layout:
        (tmp_path / "data" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / relative).write_text("x")
    with pytest.raises(UnsafeWorkspaceError, match=r"no kartcore run records \(log/task_params/\)"):
        inspect(walk_dag(Raw(workspace_directory="./data/")), protected=Path.cwd())
    assert files_under(tmp_path / "data") == sorted(layout)


# --- Every record of a needed task is kept; live temp files are left alone (finding 6) ---------------------------


def test_records_of_every_kind_of_a_needed_task_are_kept(workspace: Path) -> None:
    """checksum records (verify_outputs) and any kind added later (run_record) are kept for the DAG's tasks."""
    kartcore.build(Doubled(raw=Raw(verify_outputs=True), verify_outputs=True))
    kartcore.build(Raw(size=5, verify_outputs=True))
    raw_id = Raw(verify_outputs=True).make_unique_id()
    (workspace / "log" / "run_record").mkdir(exist_ok=True)
    (workspace / "log" / "run_record" / f"Raw_{raw_id}.json").write_text("{}")
    (workspace / "log" / "run_record" / "Raw_0123.json").write_text("{}")
    (workspace / "log" / "run_record" / f"Raw_{raw_id}.json.bak").write_text("{}")
    report = inspect(walk_dag(Doubled(raw=Raw(verify_outputs=True), verify_outputs=True)), protected=Path.cwd())
    checksums = sorted(p for p in report.kept if "/log/checksum/" in p)
    assert [Path(p).name.split("_")[0] for p in checksums] == ["Doubled", "Raw"]
    assert str(workspace / "log" / "run_record" / f"Raw_{raw_id}.json") in report.kept
    assert str(workspace / "log" / "run_record" / "Raw_0123.json") in report.unneeded
    assert str(workspace / "log" / "run_record" / f"Raw_{raw_id}.json.bak") in report.unneeded
    size_5 = Raw(size=5, verify_outputs=True).make_unique_id()
    assert str(workspace / "log" / "checksum" / f"Raw_{size_5}.json") in report.unneeded
    remove_unneeded(report)
    assert kartcore.build(Doubled(raw=Raw(verify_outputs=True), verify_outputs=True))["count"] == ["3"]


def _finished_pid() -> int:
    """The pid of a process of this host that has exited (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def test_temp_files_of_live_writers_stay_and_those_of_gone_ones_go(workspace: Path) -> None:
    kartcore.build(Raw())
    here, day = host_id(), 24 * 3600
    directory = workspace / "tests" / "kartcore" / "inspection" / "test_workspace"
    names = {
        "mine": f".Raw_x.pkl{TEMP_MARKER}{here}-{os.getpid()}-0a1b2c3d-0",  # this process: alive
        "gone": f".Raw_x.pkl{TEMP_MARKER}{here}-{_finished_pid()}-0a1b2c3d-0",
        "other host, fresh": f".Raw_x.pkl{TEMP_MARKER}00000000-{os.getpid()}-0a1b2c3d-0",
        "other host, old": f".Raw_x.pkl{TEMP_MARKER}00000000-{os.getpid()}-0a1b2c3d-1",
        "unnamed writer, fresh": f".Raw_x.pkl{TEMP_MARKER}123-abc",
        "unnamed writer, old": f".Raw_x.pkl{TEMP_MARKER}124-abc",
    }
    for case, name in names.items():
        (directory / name).write_text("half")
        if case.endswith("old"):
            os.utime(directory / name, (time.time() - 2 * day, time.time() - 2 * day))
    report = inspect(walk_dag(Raw()), protected=Path.cwd())
    in_use = sorted(case for case, name in names.items() if str(directory / name) in report.in_use)
    assert in_use == ["mine", "other host, fresh", "unnamed writer, fresh"]
    gone = sorted(case for case, name in names.items() if str(directory / name) in report.unneeded)
    assert gone == ["gone", "other host, old", "unnamed writer, old"]
    assert not set(report.in_use) & set(report.kept)
    remove_unneeded(report)
    assert sorted(p.name for p in directory.iterdir() if TEMP_MARKER in p.name) == sorted(
        names[case] for case in in_use
    )


def test_a_reused_pid_does_not_keep_a_dead_writers_temp_file(workspace: Path) -> None:
    """The pid now belongs to a process started after the file was last written: not the writer."""
    kartcore.build(Raw())
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as later:
        try:
            temp = workspace / f".stale.pkl{TEMP_MARKER}{host_id()}-{later.pid}-0a1b2c3d-0"
            temp.write_text("half")
            os.utime(temp, (time.time() - 3600, time.time() - 3600))
            report = inspect(walk_dag(Raw()), protected=Path.cwd())
        finally:
            later.kill()
    assert str(temp) in report.unneeded


def test_a_workspace_containing_the_python_installation_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/usr`` or ``/opt/conda`` as a workspace: the interpreter running kart lives there."""
    (tmp_path / "opt" / "python" / "lib").mkdir(parents=True)
    (tmp_path / "opt" / "log" / "task_params").mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "opt" / "python"))
    with pytest.raises(UnsafeWorkspaceError, match=r"contains the Python installation .* running kart"):
        inspect(walk_dag(Raw(workspace_directory=str(tmp_path / "opt"))), protected=Path.cwd())
