"""What one run did, task by task: which tasks succeeded, which failed, which were complete already.

Why: a notification at the end of a run (:mod:`kartcore.execution.slack`) should say more than the exit
code. luigi reports through events, fired in the scheduling process for what it finds while scheduling
(``DEPENDENCY_DISCOVERED``, ``DEPENDENCY_PRESENT`` for a task complete already) but in the task's own
process for ``SUCCESS``/``FAILURE``, which with ``--workers N`` is a forked child whose events never
reach us. So :meth:`EventAggregator.finish` completes the picture from the scheduler (the tasks it marks
DONE, through its public ``task_list``) and from the run's failures, which cover every process. A run on
Dask fires no luigi events at all; its driver says what happened (:meth:`EventAggregator.record_outcomes`).

One set of handlers is registered once on ``luigi.Task`` and feeds whichever aggregators are active.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import luigi

from kartcore.errors import TaskFailure
from kartcore.execution.diagnosis import failure_line

#: Tasks named per category in a report; the rest are counted (a Slack message holds ~40,000 characters).
SHOWN_PER_CATEGORY = 50
NOTHING_RAN = "Tasks were not executed."

_active: list[EventAggregator] = []


class EventAggregator:
    """Collects the outcome of every task of a run (gokart's ``EventAggregator``, correct across processes)."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._seen: dict[str, luigi.Task] = {}
        self._present: set[str] = set()
        self._succeeded: dict[str, str] = {}
        self._failed: dict[str, str] = {}

    def set_handlers(self) -> None:
        """Start collecting (gokart's name; :func:`collecting` also stops)."""
        if self not in _active:
            _active.append(self)

    def get_summary(self) -> str:
        """``Success: 2; Failure: 1; Already complete: 3``."""
        return f"Success: {len(self._succeeded)}; Failure: {len(self._failed)}; Already complete: {len(self._present)}"

    def get_event_list(self) -> str:
        """The tasks of each category, one line each (failures with their reason), or that nothing ran."""
        sections = [
            ("Failed tasks", list(self._failed.values())),
            ("Succeeded tasks", list(self._succeeded.values())),
            ("Already complete", [_name(self._seen[task_id]) for task_id in self._present]),
        ]
        lines: list[str] = []
        for title, names in sections:
            if names:
                lines.append(f"---- {title} ----")
                lines += names[:SHOWN_PER_CATEGORY]
                if len(names) > SHOWN_PER_CATEGORY:
                    lines.append(f"... and {len(names) - SHOWN_PER_CATEGORY} more")
        return os.linesep.join(lines) if lines else NOTHING_RAN

    def finish(self, root: luigi.Task, scheduler: Any, failures: list[TaskFailure]) -> None:
        """Complete the record after the run: tasks other processes ran, from the scheduler and the failures."""
        self._seen.setdefault(root.task_id, root)
        self._record_failures(failures)
        for task_id in _done_ids(scheduler):
            task = self._seen.get(task_id)
            if task is not None and task_id not in self._present and task_id not in self._failed:
                self._succeeded.setdefault(task_id, _name(task))

    def record_outcomes(
        self, present: list[luigi.Task], succeeded: list[luigi.Task], failures: list[TaskFailure]
    ) -> None:
        """What a run without luigi's worker (on Dask) did: found complete, ran, failed (no events fire there)."""
        for task in present:
            self._complete_already(task)
        for task in succeeded:
            self._success(task)
        self._record_failures(failures)

    def _record_failures(self, failures: list[TaskFailure]) -> None:
        for failure in failures:
            task_id = getattr(failure.task, "task_id", str(failure.task))
            if failure.task is not None:
                self._seen.setdefault(task_id, failure.task)
            self._failed[task_id] = failure_line(failure)
            self._succeeded.pop(task_id, None)

    def _discovered(self, task: luigi.Task, dependency: luigi.Task) -> None:
        self._seen.setdefault(task.task_id, task)
        self._seen.setdefault(dependency.task_id, dependency)

    def _complete_already(self, task: luigi.Task) -> None:
        self._seen.setdefault(task.task_id, task)
        if task.task_id not in self._succeeded:  # a later round (luigid) finds what this run completed
            self._present.add(task.task_id)

    def _success(self, task: luigi.Task) -> None:
        self._seen.setdefault(task.task_id, task)
        self._succeeded[task.task_id] = _name(task)

    def _failure(self, task: luigi.Task, exception: BaseException) -> None:
        self._seen.setdefault(task.task_id, task)
        self._failed[task.task_id] = f"{_name(task)} failed: {type(exception).__name__}: {exception}"


@contextlib.contextmanager
def collecting() -> Iterator[EventAggregator]:
    """Feed a fresh aggregator with the events of the block."""
    aggregator = EventAggregator()
    aggregator.set_handlers()
    try:
        yield aggregator
    finally:
        _active.remove(aggregator)


def _done_ids(scheduler: Any) -> list[str]:
    """Task ids the scheduler marks DONE; none when it cannot answer (the report then shows what was seen)."""
    if scheduler is None:
        return []
    try:
        found = scheduler.task_list("DONE", "", limit=False)
    except Exception:  # a report must never turn a finished run into a failure
        return []
    return [task_id for task_id in found if task_id != "num_tasks"]


def _name(task: luigi.Task) -> str:
    label = getattr(task, "label", None)
    return str(label()) if callable(label) else str(task.task_id)


def _feed(method: str) -> Any:
    def handler(*args: Any) -> None:
        for aggregator in list(_active):
            if aggregator._pid == os.getpid():  # a forked task process: its copy is not the one reported
                getattr(aggregator, method)(*args)

    return handler


luigi.Task.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)(_feed("_discovered"))
luigi.Task.event_handler(luigi.Event.DEPENDENCY_PRESENT)(_feed("_complete_already"))
luigi.Task.event_handler(luigi.Event.SUCCESS)(_feed("_success"))
luigi.Task.event_handler(luigi.Event.FAILURE)(_feed("_failure"))
