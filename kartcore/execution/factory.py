"""The worker/scheduler factory luigi builds every run with.

luigi's own local scheduler and worker, or luigi's RemoteScheduler for luigid - no fork of luigi's
worker. The factory remembers the scheduler it made, so a build can ask it afterwards (through
its public RPC methods) which tasks failed and why, also when they failed in worker processes.
"""

from __future__ import annotations

from typing import Any

import luigi
import luigi.configuration
import luigi.rpc
import luigi.scheduler
import luigi.worker

from kartcore.execution.results import ResultQueue
from kartcore.execution.scheduler import LocalScheduler
from kartcore.execution.worker_config import configured, worker_options
from kartcore.task import TaskOnKart
from kartcore.task.prefork import prepare_worker_processes

#: How often an idle worker asks luigid for work: every WAIT_INTERVAL plus up to WAIT_JITTER seconds
#: (luigi's defaults: 1 s and 5 s).
WAIT_INTERVAL_SECONDS = 0.5
WAIT_JITTER_SECONDS = 0.5


class WorkerSchedulerFactory:
    """Makes luigi's scheduler (local or remote) and worker, and keeps the scheduler for questions."""

    def __init__(self) -> None:
        self.scheduler: Any = None

    def create_local_scheduler(self) -> LocalScheduler:
        self.scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)
        return self.scheduler

    def create_remote_scheduler(self, url: str) -> luigi.rpc.RemoteScheduler:
        self.scheduler = luigi.rpc.RemoteScheduler(url)
        return self.scheduler

    def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> luigi.worker.Worker:
        options: dict[str, Any] = worker_options()  # a gokart project's [gokart_worker] section
        if isinstance(scheduler, luigi.rpc.RemoteScheduler) and not _configured_anywhere("keep_alive", options):
            # With a shared scheduler another process may be running our dependencies: wait for
            # them instead of giving up with "not run", so every process exits 0 when the DAG is done.
            options["keep_alive"] = True
        if isinstance(scheduler, luigi.rpc.RemoteScheduler):
            # A worker waiting for another process's task sleeps wait_interval plus up to wait_jitter seconds
            # between requests for work: luigi's 1 s + up to 5 s made a 2.5 s DAG take up to 7 s under luigid.
            # Large clusters may set them higher in [worker] to spare luigid (every request prunes its state).
            for option, seconds in (("wait_interval", WAIT_INTERVAL_SECONDS), ("wait_jitter", WAIT_JITTER_SECONDS)):
                if not _configured_anywhere(option, options) and not (
                    option == "wait_interval" and _waits_configured()
                ):
                    options[option] = seconds
        worker = luigi.worker.Worker(
            scheduler=scheduler, worker_processes=worker_processes, assistant=assistant, **options
        )
        if worker_processes > 1 or worker._config.force_multiprocessing:
            prepare_worker_processes(TaskOnKart)  # before the first task process is forked
        if isinstance(scheduler, LocalScheduler):
            # In-process results skip the multiprocessing queue's feeder thread (see results.py).
            worker._task_result_queue.close()
            worker._task_result_queue = ResultQueue()
        return worker


def _configured_anywhere(option: str, gokart_options: dict[str, Any]) -> bool:
    return option in gokart_options or configured("worker", option)


def _waits_configured() -> bool:
    """luigi also reads the wait interval from ``[core] worker-wait-interval``."""
    return configured("core", "worker_wait_interval")
