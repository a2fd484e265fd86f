"""Collect what failed during a build: the task, its exception and its traceback text.

One set of luigi event handlers is registered once (on ``luigi.Task``) and feeds whichever
collector is active, so repeated builds do not pile up handlers. Exceptions are only available
for tasks that ran in this process; for tasks run by worker processes the traceback text comes
from the scheduler (``fetch_error``), which has it in every case.
"""

from __future__ import annotations

import contextlib
import json
import traceback
from collections.abc import Iterator
from typing import Any

import luigi

from kartcore.errors import TaskFailure

_active: list[FailureCollector] = []


class FailureCollector:
    """Tasks seen and exceptions raised during one build."""

    def __init__(self) -> None:
        self.tasks: dict[str, luigi.Task] = {}
        self.exceptions: dict[str, BaseException] = {}
        self.broken: list[TaskFailure] = []

    def failures(self, scheduler: Any) -> list[TaskFailure]:
        """Every failed task, in the order the scheduler lists them, then tasks luigi could not schedule."""
        found = []
        failed = scheduler.task_list("FAILED", "") if scheduler is not None else {}
        for task_id in failed:
            exception = self.exceptions.get(task_id)
            text = _error_text(scheduler, task_id) or _format(exception)
            found.append(TaskFailure(self.tasks.get(task_id, task_id), exception, text))
        return found + self.broken


@contextlib.contextmanager
def collecting() -> Iterator[FailureCollector]:
    """Route failure events to a fresh collector for the duration of the block."""
    collector = FailureCollector()
    _active.append(collector)
    try:
        yield collector
    finally:
        _active.remove(collector)


def _current() -> FailureCollector | None:
    return _active[-1] if _active else None


def _on_discovered(task: luigi.Task, dependency: luigi.Task) -> None:
    collector = _current()
    if collector is not None:
        collector.tasks.setdefault(task.task_id, task)
        collector.tasks.setdefault(dependency.task_id, dependency)


def _on_failure(task: luigi.Task, exception: BaseException) -> None:
    collector = _current()
    if collector is not None:
        collector.tasks.setdefault(task.task_id, task)
        collector.exceptions[task.task_id] = exception


def _on_broken(task: luigi.Task, exception: BaseException) -> None:
    collector = _current()
    if collector is not None:
        collector.broken.append(TaskFailure(task, exception, _format(exception)))


def _error_text(scheduler: Any, task_id: str) -> str:
    try:
        stored = scheduler.fetch_error(task_id).get("error") or ""
    except Exception:  # the scheduler is only asked for extra detail; never hide the real failure
        return ""
    try:
        return json.loads(stored)
    except (TypeError, ValueError):
        return str(stored)


def _format(exception: BaseException | None) -> str:
    if exception is None:
        return ""
    return "".join(traceback.format_exception(type(exception), exception, exception.__traceback__))


def _on_dependency_missing(task: luigi.Task) -> None:
    """luigi fires this when complete() raised; kartcore tasks keep that exception for us."""
    exception = getattr(task, "_kart_complete_error", None)
    collector = _current()
    if collector is not None and exception is not None:
        task._kart_complete_error = None
        collector.broken.append(TaskFailure(task, exception, _format(exception)))


luigi.Task.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)(_on_discovered)
luigi.Task.event_handler(luigi.Event.DEPENDENCY_MISSING)(_on_dependency_missing)
luigi.Task.event_handler(luigi.Event.FAILURE)(_on_failure)
luigi.Task.event_handler(luigi.Event.BROKEN_TASK)(_on_broken)
