"""The worker the factory makes: luigi's, with the settings a shared luigid needs unless the user chose them."""

from __future__ import annotations

import luigi.configuration
import luigi.rpc

from kartcore.execution.factory import WAIT_INTERVAL_SECONDS, WAIT_JITTER_SECONDS, WorkerSchedulerFactory


def _remote_worker() -> luigi.worker.Worker:
    factory = WorkerSchedulerFactory()
    scheduler = factory.create_remote_scheduler("http://127.0.0.1:9/")  # never contacted: the worker is not entered
    return factory.create_worker(scheduler, worker_processes=1)


def test_a_worker_on_luigid_waits_for_others_and_polls_often() -> None:
    worker = _remote_worker()
    assert worker._config.keep_alive
    assert worker._config.wait_interval == WAIT_INTERVAL_SECONDS < 1.0  # luigi's 1 s
    assert worker._config.wait_jitter == WAIT_JITTER_SECONDS < 5.0  # luigi's 5 s


def test_the_users_worker_settings_win() -> None:
    config = luigi.configuration.get_config()
    config.set("worker", "keep_alive", "false")
    config.set("worker", "wait_jitter", "3")
    config.set("core", "worker-wait-interval", "2")
    worker = _remote_worker()
    assert not worker._config.keep_alive
    assert worker._config.wait_jitter == 3.0
    assert worker._config.wait_interval == 2.0


def test_the_local_scheduler_keeps_luigis_worker_defaults() -> None:
    factory = WorkerSchedulerFactory()
    worker = factory.create_worker(factory.create_local_scheduler(), worker_processes=1)
    assert not worker._config.keep_alive
    assert worker._config.wait_jitter == 5.0
