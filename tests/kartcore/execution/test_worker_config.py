"""``[gokart_worker]``: a gokart project's worker section reaches the worker kartcore's builds make."""

from __future__ import annotations

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.errors import ConfigError
from kartcore.execution.factory import WorkerSchedulerFactory
from kartcore.execution.worker_config import GokartWorkerConfig, worker_options


def _local_worker() -> luigi.worker.Worker:
    factory = WorkerSchedulerFactory()
    return factory.create_worker(factory.create_local_scheduler(), worker_processes=1)


def test_options_set_in_gokart_worker_reach_the_worker() -> None:
    config = luigi.configuration.get_config()
    config.set("gokart_worker", "wait_jitter", "0.25")
    config.set("gokart_worker", "check-complete-on-run", "true")
    worker = _local_worker()
    assert worker._config.wait_jitter == 0.25
    assert worker._config.check_complete_on_run is True
    assert worker_options() == {"wait_jitter": 0.25, "check_complete_on_run": True}


def test_worker_section_wins_over_gokart_worker() -> None:
    config = luigi.configuration.get_config()
    config.set("gokart_worker", "wait_jitter", "0.25")
    config.set("worker", "wait_jitter", "3")
    assert _local_worker()._config.wait_jitter == 3.0
    assert worker_options() == {}


def test_without_the_section_nothing_changes() -> None:
    assert worker_options() == {}
    assert _local_worker()._config.wait_jitter == 5.0  # luigi's default


def test_a_bad_value_names_the_option_and_no_worker_is_made() -> None:
    luigi.configuration.get_config().set("gokart_worker", "wait_jitter", "soon")
    factory = WorkerSchedulerFactory()
    scheduler = factory.create_local_scheduler()
    with pytest.raises(ConfigError, match=r"\[gokart_worker\] wait_jitter = 'soon' is not a valid value"):
        factory.create_worker(scheduler, worker_processes=1)


def test_a_build_with_a_bad_value_fails_before_running(tmp_path) -> None:
    luigi.configuration.get_config().set("gokart_worker", "max_reschedules", "many")
    task = _Counted(workspace_directory=str(tmp_path))
    with pytest.raises(Exception, match=r"max_reschedules = 'many'"):
        kartcore.build(task, log_level=50)
    assert list(tmp_path.iterdir()) == []


def test_gokart_worker_reads_its_section_and_core_fallbacks() -> None:
    config = luigi.configuration.get_config()
    config.set("core", "worker-timeout", "7")
    config.set("gokart_worker", "task_completion_check_at_run", "false")
    values = GokartWorkerConfig()
    assert values.timeout == 7
    assert values.task_completion_check_at_run is False


class _Counted(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_worker_config"

    def run(self) -> None:
        self.dump("done")


def test_a_build_runs_under_gokart_worker_settings(tmp_path) -> None:
    luigi.configuration.get_config().set("gokart_worker", "wait_jitter", "0.1")
    assert kartcore.build(_Counted(workspace_directory=str(tmp_path)), log_level=50) == "done"
