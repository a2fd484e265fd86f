"""What a task whose outputs live in memory (:mod:`kartcore.io.in_memory`) does differently when it runs.

* Its run records are not written: a task whose every output is in memory leaves no file in the
  workspace at all (records describe files; there is none to describe).
* It runs only in the process that schedules the DAG. luigi runs each task in a forked process with
  ``--workers N`` (N > 1, or ``[worker] force_multiprocessing``), and a Dask worker is another process
  too: a value dumped there would die with that process while luigi counted the task as done, and the
  next task would fail to load it. Such a run is refused before anything runs, naming the task, the
  key and the fix.
"""

from __future__ import annotations

import multiprocessing
import sys
from typing import Any

import luigi.worker
from luigi.task import flatten

from kartcore.errors import InMemoryTargetError


def in_memory_keys(task: Any) -> list[str]:
    """The keys of the task's in-memory outputs (none for an endpoint, which has no output of its own)."""
    if task.is_endpoint():
        return []
    return [target.path() for target in flatten(task.output()) if getattr(target, "in_memory", False)]


def keeps_records(task: Any) -> bool:
    """Whether the run records are written: as configured, unless every output of the task is in memory."""
    if not task.should_dump_supplementary_log_files:
        return False
    outputs = [] if task.is_endpoint() else flatten(task.output())
    return not outputs or not all(getattr(target, "in_memory", False) for target in outputs)


def check_runs_here(task: Any) -> None:
    """Refuse to run a task with in-memory outputs in a separate task process (see the module docstring)."""
    where = _separate_process()
    if where is None:
        return
    keys = in_memory_keys(task)
    if keys:
        raise InMemoryTargetError(
            f"{task.label()} keeps its output {keys[0]!r} in memory, but runs in {where}: the value would be "
            "lost when that process ends. Run it in one process (--workers 1, the default, without "
            "--dask-scheduler or [worker] force_multiprocessing), or give the task a file output"
        )


def _separate_process() -> str | None:
    """How the current task runs outside the scheduling process, or None when it runs inside it."""
    if isinstance(multiprocessing.current_process(), luigi.worker.TaskProcess):
        return "a separate task process (--workers > 1 or [worker] force_multiprocessing)"
    distributed = sys.modules.get("distributed")  # imported only where Dask runs tasks
    if distributed is not None:
        try:
            distributed.get_worker()
        except ValueError:  # "No worker found": not inside a Dask task
            return None
        return "a Dask worker (--dask-scheduler)"
    return None
