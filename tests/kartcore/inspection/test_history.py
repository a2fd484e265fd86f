"""task_history(): the cached runs of a task class, read from the run records, as a DataFrame."""

from __future__ import annotations

import datetime
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import luigi
import luigi.configuration
import pandas
import pytest

import kartcore
from kartcore.errors import StorageError
from kartcore.inspection.history import class_name_of, runs, task_history, workspace_of
from kartcore.io.storage import LOCAL, storage_for

COLUMNS = ["unique_id", "started", "finished", "processing_time", "cached", "status", "outputs"]


class Scored(kartcore.TaskOnKart):
    task_namespace = "history_test"
    alpha = luigi.FloatParameter(default=0.1)
    tag = luigi.Parameter(default="x")

    def run(self) -> None:
        self.dump(self.alpha * 2)


class Scored_Extra(kartcore.TaskOnKart):  # starts like "Scored_": must not match
    def run(self) -> None:
        self.dump(0)


class Clash(kartcore.TaskOnKart):
    finished = luigi.Parameter(default="no")  # clashes with a history column

    def run(self) -> None:
        self.dump(1)


def test_every_run_is_a_row_with_its_parameters(workspace: Path) -> None:
    kartcore.build(Scored(alpha=0.1))
    time.sleep(0.01)
    kartcore.build(Scored(alpha=0.5, tag="y"))
    kartcore.build(Scored_Extra())
    frame = task_history(Scored)
    assert list(frame.columns) == [*COLUMNS, "alpha", "tag"]
    assert frame["alpha"].tolist() == ["0.1", "0.5"], "oldest first"
    assert frame["tag"].tolist() == ["x", "y"]
    assert frame["unique_id"].tolist() == [
        Scored(alpha=0.1).make_unique_id(),
        Scored(alpha=0.5, tag="y").make_unique_id(),
    ]
    assert frame["cached"].tolist() == [True, True]
    assert pandas.api.types.is_datetime64_any_dtype(frame["finished"])
    assert frame["processing_time"].dtype == "float64" and (frame["processing_time"] >= 0).all()
    assert frame["outputs"][0] == [Scored(alpha=0.1).output().path()]
    assert (frame["finished"] >= frame["started"]).all()


def test_names_families_and_classes_find_the_same_runs(workspace: Path) -> None:
    kartcore.build(Scored())
    assert class_name_of("history_test.Scored") == class_name_of(Scored) == class_name_of("Scored") == "Scored"
    assert class_name_of("unknown.Thing") == "Thing"
    assert len(task_history("history_test.Scored")) == len(task_history("Scored")) == 1


def test_a_run_whose_output_was_deleted_is_not_cached(workspace: Path) -> None:
    kartcore.build(Scored())
    os.remove(Scored().output().path())
    (run,) = runs(Scored)
    assert not run.cached and run.processing_time is not None


def test_missing_records_leave_gaps_not_errors(workspace: Path) -> None:
    kartcore.build(Scored())
    unique_id = Scored().make_unique_id()
    os.remove(workspace / "log" / "processing_time" / f"Scored_{unique_id}.pkl")
    os.remove(workspace / "log" / "task_log" / f"Scored_{unique_id}.pkl")
    (workspace / "log" / "run_record" / f"Scored_{unique_id}.json").unlink(missing_ok=True)
    (run,) = runs(Scored)
    assert run.processing_time is None and run.finished is None and run.outputs == () and not run.cached
    assert run.status == "not finished"
    assert isinstance(run.started, datetime.datetime)
    frame = task_history(Scored)
    assert frame["processing_time"].isna().all() and frame["finished"].isna().all()


def test_no_runs_is_an_empty_frame_with_the_columns(workspace: Path) -> None:
    frame = task_history(Scored)
    assert frame.empty
    assert list(frame.columns) == COLUMNS


def test_parameters_named_like_a_column_are_prefixed(workspace: Path) -> None:
    kartcore.build(Clash(finished="yes"))
    frame = task_history(Clash)
    assert frame["param_finished"].tolist() == ["yes"]
    assert pandas.api.types.is_datetime64_any_dtype(frame["finished"])


def test_workspace_follows_the_config(tmp_path: Path) -> None:
    assert workspace_of(Scored) == "./resources/"
    config = tmp_path / "param.ini"
    config.write_text("[TaskOnKart]\nworkspace_directory = ./shared/\n")
    kartcore.add_config(str(config))
    assert workspace_of(Scored) == "./shared/"
    config.write_text(
        "[TaskOnKart]\nworkspace_directory = ./shared/\n[history_test.Scored]\nworkspace_directory = ./own/\n"
    )
    kartcore.add_config(str(config))
    assert workspace_of(Scored) == "./own/"
    kartcore.build(Scored())
    assert len(task_history(Scored)) == 1 and len(task_history(Scored, workspace="./shared/")) == 0


def test_task_history_does_not_import_pandas_until_called(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import sys, kartcore.history; assert 'pandas' not in sys.modules, 'pandas loaded'"
    completed = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_the_documented_import_path_is_the_inspection_module() -> None:
    import kartcore.history
    import kartcore.inspection.history

    assert kartcore.history.task_history is kartcore.inspection.history.task_history


@pytest.fixture
def memory_workspace() -> Iterator[str]:
    """A workspace on fsspec's in-memory store (a remote store without a server), emptied afterwards."""
    import fsspec

    workspace = f"memory://kart-history-{uuid.uuid4().hex[:8]}/ws"
    luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", workspace)
    yield workspace
    fs = fsspec.filesystem("memory")
    if fs.exists(workspace):
        fs.rm(workspace, recursive=True)


def test_runs_in_a_remote_workspace_are_read_through_the_storage(memory_workspace: str) -> None:
    kartcore.build(Scored(alpha=0.1))
    kartcore.build(Scored(alpha=0.5))
    found = runs(Scored, memory_workspace)
    assert [run.params["alpha"] for run in found] == ["0.1", "0.5"]
    assert [run.unique_id for run in found] == [Scored(alpha=0.1).make_unique_id(), Scored(alpha=0.5).make_unique_id()]
    first = found[0]
    assert first.cached and first.processing_time is not None and first.finished is not None
    assert first.outputs == (Scored(alpha=0.1).output().path(),) and first.outputs[0].startswith("memory://")
    Scored(alpha=0.1).output().remove()
    assert [run.cached for run in runs(Scored, memory_workspace)] == [False, True]
    assert runs(Scored, memory_workspace + "/elsewhere") == []


def test_a_refused_remote_listing_is_an_error_not_no_runs(
    memory_workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fsspec.implementations.memory as memory

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    monkeypatch.setattr(memory.MemoryFileSystem, "ls", refuse)
    with pytest.raises(StorageError) as info:
        runs(Scored, memory_workspace)
    message = str(info.value)
    assert message.startswith(f"cannot list {memory_workspace}/log/task_params: PermissionError: Access Denied.")
    assert "Nothing was treated as missing" in message


def test_list_names_local_file_url_and_remote(tmp_path: Path, memory_workspace: str) -> None:
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "a.pkl").write_bytes(b"")
    assert sorted(storage_for(str(tmp_path / "dir")).list_names(str(tmp_path / "dir"))) == ["a.pkl", "sub"]
    assert sorted(storage_for(f"file://{tmp_path}/dir").list_names(f"file://{tmp_path}/dir")) == ["a.pkl", "sub"]
    assert LOCAL.list_names(str(tmp_path / "missing")) == []
    assert LOCAL.list_names(str(tmp_path / "dir" / "a.pkl")) == []  # a file is not a directory
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe({f"{memory_workspace}/d/x.pkl": b"1", f"{memory_workspace}/d/sub/y.pkl": b"2"})
    remote = storage_for(memory_workspace)
    assert remote.list_names(f"{memory_workspace}/d") == ["sub", "x.pkl"]
    assert remote.list_names(f"{memory_workspace}/d/") == ["sub", "x.pkl"]
    assert remote.list_names(f"{memory_workspace}/missing") == []
