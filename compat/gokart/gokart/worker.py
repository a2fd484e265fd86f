"""``gokart.worker``: luigi's worker configured from ``[gokart_worker]``, as gokart's build uses it.

``Worker(scheduler, config=gokart_worker(...))`` is luigi's worker with the options of ``config``;
``config.task_completion_check_at_run``, when a config is given, is applied to every kartcore task the
worker runs (kartcore checks it inside the task's wrapped ``run``). Without a config, each task keeps its
own ``task_completion_check_at_run`` (by default from ``[gokart_worker]``).
"""

from __future__ import annotations

from typing import Any

import luigi.worker

from kartcore import TaskOnKart
from kartcore.execution.worker_config import GokartWorkerConfig as gokart_worker

__all__ = ["Worker", "gokart_worker"]


class Worker(luigi.worker.Worker):
    """luigi's worker taking gokart's ``config`` argument."""

    def __init__(
        self,
        scheduler: Any = None,
        worker_id: str | None = None,
        worker_processes: int = 1,
        assistant: bool = False,
        config: gokart_worker | None = None,
    ) -> None:
        values = config if config is not None else gokart_worker()
        options = {name: getattr(values, name) for name, _ in luigi.worker.worker.get_params()}
        super().__init__(scheduler, worker_id, worker_processes, assistant, **options)
        self._check_at_run = None if config is None else bool(config.task_completion_check_at_run)

    def _run_task(self, task_id: str) -> None:
        task = self._scheduled_tasks.get(task_id)
        if self._check_at_run is not None and isinstance(task, TaskOnKart):
            task.task_completion_check_at_run = self._check_at_run
        super()._run_task(task_id)

    def _check_complete_value(self, is_complete: Any) -> None:
        """Raise unless ``complete()`` gave a bool (luigi's async check wraps its exception in TracebackWrapper)."""
        if isinstance(is_complete, luigi.worker.TracebackWrapper):
            raise luigi.worker.AsyncCompletionException(is_complete.trace)
        if not isinstance(is_complete, bool):
            raise Exception(f"Return value of Task.complete() must be boolean (was {is_complete!r})")
