"""What runs on a Dask worker, called in this process: one task, in a thread that is not the main one (as
Dask's thread pool runs it), with the driver's settings; failures as text. (On real workers: tests/e2e.)
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import pytest
from luigi.cmdline_parser import CmdlineParser

import kartcore
from kartcore.errors import RemoteTaskError
from kartcore.execution.dask_executor import task_key
from kartcore.execution.dask_worker import driver_settings, run_task, using_settings

RUNS: list[str] = []


class Part(kartcore.TaskOnKart):
    task_namespace = "daskworker"
    n = luigi.IntParameter(default=1)

    def run(self) -> None:
        RUNS.append(f"Part{self.n}")
        self.dump(self.n)


class Whole(kartcore.TaskOnKart):
    task_namespace = "daskworker"

    def requires(self) -> Part:
        return Part()

    def run(self) -> None:
        RUNS.append("Whole")
        self.dump(self.load() + 1)


class Failing(kartcore.TaskOnKart):
    task_namespace = "daskworker"

    def run(self) -> None:
        raise ValueError("failing on purpose")


def in_thread(function: Callable[[], Any]) -> Any:
    """Call ``function`` in a new thread (where luigi's signal handler would fail); its result or exception."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run_remotely(task: luigi.Task) -> str:
    return in_thread(lambda: run_task(pickle.dumps(task), driver_settings(), task_key(task)))


def test_runs_the_task_once_off_the_main_thread_and_returns_only_its_key(workspace: Path) -> None:
    RUNS.clear()
    kartcore.build(Part())
    assert run_remotely(Whole()) == task_key(Whole())
    assert RUNS == ["Part1", "Whole"], "only the task itself ran; its requirement was complete"
    assert Whole().output().load() == 2
    assert Whole().get_processing_time() is not None, "run records are written as by build()"
    assert run_remotely(Whole()) == task_key(Whole())
    assert RUNS == ["Part1", "Whole"], "complete: not run again"


def test_refuses_to_run_when_a_requirement_is_not_complete_here(workspace: Path) -> None:
    with pytest.raises(RemoteTaskError) as info:
        run_remotely(Whole())
    assert "daskworker.Whole[" in str(info.value) and "daskworker.Part[" in str(info.value)
    assert "are not complete as Dask worker" in str(info.value) and "share the workspace" in str(info.value)
    assert not workspace.exists()


def test_a_failure_comes_back_as_its_traceback_text() -> None:
    with pytest.raises(RemoteTaskError) as info:
        run_remotely(Failing())
    assert info.value.key == task_key(Failing())
    assert "Traceback (most recent call last)" in info.value.text
    assert info.value.text.strip().endswith("ValueError: failing on purpose")
    copy = pickle.loads(pickle.dumps(info.value))  # it travels back to the driver
    assert (copy.key, copy.text) == (info.value.key, info.value.text)


def test_a_task_the_worker_cannot_import_is_named_with_the_fix() -> None:
    foreign = b"cno_such_project_module\nTask\n."  # a pickle of a class from a module this process lacks
    with pytest.raises(RemoteTaskError) as info:
        in_thread(lambda: run_task(foreign, {}, "kart-pkg.Task-0123"))
    assert "cannot load task kart-pkg.Task-0123: ModuleNotFoundError" in str(info.value)
    assert "install the project" in str(info.value) and "PYTHONPATH" in str(info.value)


def test_the_driver_settings_carry_its_config_files_and_command_line() -> None:
    config = luigi.configuration.get_config()
    config.set("TaskOnKart", "workspace_directory", "s3://bucket/from-config")
    config.set("daskworker.Part", "n", "7")
    with CmdlineParser.global_instance(["daskworker.Whole", "--daskworker.Part-n", "9", "--workers", "3"]):
        settings = driver_settings()
    assert settings["TaskOnKart"]["workspace_directory"] == "s3://bucket/from-config"
    assert settings["daskworker.Part"]["n"] == "9", "the command line wins, as it does on the driver"
    assert "workers" not in settings.get("core", {}), "luigi's scheduler options stay with the driver"


def test_settings_apply_for_the_run_and_the_worker_config_comes_back() -> None:
    config = luigi.configuration.get_config()
    config.set("worker_own", "kept", "yes")
    with using_settings({"TaskOnKart": {"workspace_directory": "/shared/workspace"}}):
        assert config.get("TaskOnKart", "workspace_directory") == "/shared/workspace"
        assert not config.has_section("worker_own")
        assert config.getboolean("worker", "no_install_shutdown_handler") is True
        assert Part().workspace_directory == "/shared/workspace"
    assert config.get("worker_own", "kept") == "yes"
    assert not config.has_option("TaskOnKart", "workspace_directory")
