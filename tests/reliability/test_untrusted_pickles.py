"""Issue 12, finding 2: with refuse_foreign_pickles on, no kartcore path unpickles a file someone else owns.

Every path that reads a pickle is listed here (task inputs, ``load_generator``, ``build()``'s return
value, a plain ``Target.load()``, ``restore()``, ``get_task_log()``, ``get_processing_time()``, the
history, ``make_tree_info``, large-frame and model zips). Each is run against a canary pickle owned
by another uid: with the setting on it must refuse (and the canary must not have run); with it
off, the same path must run the canary, which proves the path really reads that file.
"""

from __future__ import annotations

import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import pandas as pd
import pytest

import kartcore
from kartcore.errors import BuildError, UntrustedFileError
from kartcore.inspection.history import runs
from kartcore.io import Target
from kartcore.task import records
from kartcore.task.naming import log_path
from tests import canary
from tests.conftest import save_json
from tests.run_records import run_record_path, write_run_record

pytestmark = pytest.mark.skipif(not canary.needs_root, reason="changing a file's owner needs root")


class Written(kartcore.TaskOnKart):
    task_namespace = "untrusted"

    def run(self) -> None:
        self.dump({"model": "weights"})


class Reader(kartcore.TaskOnKart):
    task_namespace = "untrusted"

    def requires(self) -> Written:
        return Written()

    def output(self) -> Target:
        return self.make_target("reader.txt")

    def run(self) -> None:
        self.dump(str(self.load()))


class Streamed(Reader):
    def run(self) -> None:
        self.dump(str(list(self.load_generator())))


class Chunked(kartcore.TaskOnKart):
    task_namespace = "untrusted"

    def output(self) -> Target:
        return self.make_large_data_frame_target("chunked.zip")

    def run(self) -> None:
        self.dump(pd.DataFrame({"a": [1, 2]}))


def _load_pickle(path: str) -> Any:
    with open(path, "rb") as file:
        return pickle.load(file)


class Modelled(kartcore.TaskOnKart):
    task_namespace = "untrusted"

    def output(self) -> Target:
        return self.make_model_target("model.zip", save_json, _load_pickle)

    def run(self) -> None:
        self.dump({"w": 1})


def _record(task: kartcore.TaskOnKart, kind: str, extension: str = ".pkl") -> str:
    return log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)


def _zip_canary(path: str, member: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, canary.canary_bytes())
    os.chown(path, canary.OTHER_UID, -1)


def _without_json_record(task: kartcore.TaskOnKart) -> None:
    """A workspace written by gokart or an older kartcore: only the .pkl records."""
    run_record_path(task).unlink(missing_ok=True)


def _plant_output() -> Callable[[], Any]:
    canary.plant(Written().output().path())
    return lambda: Written().output().load()


def _input() -> Callable[[], Any]:
    canary.plant(Written().output().path())
    return lambda: kartcore.build(Reader())


def _generator() -> Callable[[], Any]:
    canary.plant(Written().output().path())
    return lambda: kartcore.build(Streamed())


def _build_result() -> Callable[[], Any]:
    canary.plant(Written().output().path())
    return lambda: kartcore.build(Written())


def _plain_target() -> Callable[[], Any]:
    path = canary.plant(Written().output().path())
    return lambda: Target(str(path)).load()


def _restore() -> Callable[[], Any]:
    _without_json_record(Written())
    canary.plant(_record(Written(), records.TASK_PARAMS))
    return lambda: Written.restore(Written().make_unique_id())


def _task_log() -> Callable[[], Any]:
    canary.plant(_record(Written(), records.TASK_LOG))
    return lambda: Written().get_task_log()


def _processing_time() -> Callable[[], Any]:
    _without_json_record(Written())
    canary.plant(_record(Written(), records.PROCESSING_TIME))
    return lambda: Written().get_processing_time()


def _tree_info() -> Callable[[], Any]:
    canary.plant(_record(Written(), records.TASK_LOG))
    return lambda: kartcore.make_tree_info(Written(), details=True)


def _history() -> Callable[[], Any]:
    _without_json_record(Written())
    for kind in (records.TASK_PARAMS, records.PROCESSING_TIME, records.TASK_LOG):
        canary.plant(_record(Written(), kind))

    def history() -> Any:
        (run,) = runs(Written)
        if run.status == "untrusted record":
            raise UntrustedFileError(run.problem)
        return run

    return history


def _large_frame() -> Callable[[], Any]:
    kartcore.build(Chunked())
    _zip_canary(Chunked().output().path(), "data_0.pkl")
    return lambda: Chunked().output().load()


def _model() -> Callable[[], Any]:
    kartcore.build(Modelled(), return_value=False)
    _zip_canary(Modelled().output().path(), "model.pkl")
    return lambda: Modelled().output().load()


PATHS: dict[str, Callable[[], Callable[[], Any]]] = {
    "task input": _input,
    "load_generator": _generator,
    "build() return value": _build_result,
    "the task's own output target": _plant_output,
    "a plain Target": _plain_target,
    "restore() from gokart records": _restore,
    "get_task_log()": _task_log,
    "get_processing_time() from gokart records": _processing_time,
    "make_tree_info(details=True)": _tree_info,
    "history from gokart records": _history,
    "large-frame zip": _large_frame,
    "model zip": _model,
}


def _refuse(on: bool) -> None:
    luigi.configuration.get_config().set("TaskOnKart", "refuse_foreign_pickles", "true" if on else "false")
    luigi.task_register.Register.clear_instance_cache()


def _raised(call: Callable[[], Any]) -> BaseException | None:
    try:
        call()
    except BuildError as exc:
        return exc.exception or exc
    except Exception as exc:
        return exc
    return None


def _arrange(path: str, refuse: bool) -> Callable[[], Any]:
    """A built workspace with the canary planted for ``path``, and the setting as asked."""
    kartcore.build(Written())
    call = PATHS[path]()
    canary.reset()
    _refuse(refuse)
    return call


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_load_path_unpickles_a_foreign_file_with_the_setting_on(workspace: Path, path: str) -> None:
    error = _raised(_arrange(path, refuse=True))
    assert canary.TRIPPED == [], f"{path} unpickled a file owned by uid {canary.OTHER_UID}"
    assert isinstance(error, UntrustedFileError), f"{path}: {error!r}"
    assert f"owned by uid {canary.OTHER_UID}" in str(error) and "trusted_pickle_locations" in str(error)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_with_the_setting_off_the_same_path_does_read_the_file(workspace: Path, path: str) -> None:
    _raised(_arrange(path, refuse=False))  # the canary may not be what the path expects: only the trip matters
    assert canary.TRIPPED, f"{path} never read the planted file, so the test above proves nothing"


def test_json_run_records_need_no_unpickling_at_all(workspace: Path) -> None:
    kartcore.build(Written())
    task = Written()
    write_run_record(task)
    for kind in (records.TASK_PARAMS, records.PROCESSING_TIME, records.TASK_LOG):
        canary.plant(_record(task, kind))
    canary.reset()
    _refuse(False)  # even a user who trusts everything runs no pickle for these
    assert Written.restore(task.make_unique_id()).make_unique_id() == task.make_unique_id()
    assert Written().get_processing_time() == 1.5
    (run,) = runs(Written)
    assert run.status == "finished" and run.params == {} and run.cached
    assert canary.TRIPPED == []
