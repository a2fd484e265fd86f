"""What ``load(target)`` reads: all inputs, one by ``requires()`` key, a required task's output, or a target.

Loading a task that is not among ``requires()`` is refused (:class:`~kartcore.errors.NotRequiredError`): its
output would be read without the scheduler having run it first. The required tasks' ids are kept per
instance while ``cache_unique_id`` says the task's parameters do not change.
"""

from __future__ import annotations

from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import NotRequiredError, TaskDefinitionError

REQUIRED_IDS = "_kart_required_ids"


def select(task: Any, target: Any) -> Any:
    """The targets (or structure of targets) ``task.load(target)`` reads."""
    if target is None:
        return task.input()
    if isinstance(target, str):
        inputs = task.input()
        if isinstance(inputs, dict) and target in inputs:
            return inputs[target]
        keys = sorted(inputs) if isinstance(inputs, dict) else []
        raise TaskDefinitionError(f"{task.label()} has no input named {target!r}; requires() keys: {keys}")
    if isinstance(target, luigi.Task):
        check_required(task, target)
        return target.output()
    if isinstance(target, (list, tuple)):
        return [select(task, item) for item in target]
    return target


def check_required(task: Any, upstream: luigi.Task) -> None:
    """Raise unless ``upstream`` is among ``task.requires()`` (by identity, else by task id)."""
    required = flatten(task.requires())
    if any(upstream is item for item in required):  # also a stand-in without a task_id (a test's Mock)
        return
    known = task.__dict__.get(REQUIRED_IDS)
    if known is None or not task.cache_unique_id:  # requires() may change meanwhile
        known = task.__dict__[REQUIRED_IDS] = frozenset(t.task_id for t in required if hasattr(t, "task_id"))
    upstream_id = getattr(upstream, "task_id", None)
    if upstream_id is None or upstream_id not in known:
        raise NotRequiredError(f"{task.label()} loads {upstream!r}, which is not among its requires()")
