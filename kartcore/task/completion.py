"""When a task counts as complete: its outputs exist, plus gokart's optional strict and freshness checks.

luigi asks ``complete()`` before scheduling a task and again right after its ``run()``. kartcore's
wrapped ``run()`` publishes the staged outputs before it returns (see :mod:`lifecycle`), so only files
that exist count: a task asked from inside its own ``run()`` is not complete yet. Like gokart (and
unlike luigi), a task whose ``output()`` is empty counts as complete.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from luigi.task import flatten

from kartcore.io import Target


def outputs_complete(task: Any) -> bool:
    """Every output exists; with the strict checks, the inputs agree."""
    outputs = flatten(task.output())
    if not all(target.exists() for target in outputs):
        return False
    if not (task.strict_check or task.modification_time_check):
        return True
    inputs = flatten(task.input())
    if not all(dep.complete() for dep in flatten(task.requires())) or not all(t.exists() for t in inputs):
        return False
    if task.modification_time_check:
        return inputs_not_newer(inputs, outputs)
    return True


def complete_as_requirement(task: Any) -> bool:
    """Whether a requirement of an endpoint is complete, without using up its ``rerun``.

    A pending ``rerun`` makes a task incomplete once, at the first ``complete()`` it is asked. An endpoint
    (no ``run()``) asks its requirements; that question must not be the one, or luigi, asking the
    requirement itself next, would find it complete and never run it again.
    """
    if getattr(task, "_kart_task", False):
        return bool(task._complete(consume=False))
    return bool(task.complete())


def inputs_not_newer(inputs: list[Any], outputs: list[Any]) -> bool:
    """No input (that is not also an output) was modified after the oldest output."""
    output_paths = {getattr(t, "path", lambda: None)() for t in outputs}
    input_times = [_mtime(t) for t in inputs if getattr(t, "path", lambda: None)() not in output_paths]
    if not input_times:
        return True
    return max(input_times) <= min(_mtime(t) for t in outputs)


def _mtime(target: Any) -> datetime.datetime:
    if isinstance(target, Target):
        return target.last_modification_time()
    return datetime.datetime.fromtimestamp(os.path.getmtime(target.path))
