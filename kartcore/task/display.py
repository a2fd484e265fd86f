"""How a task is shown: ``repr``/``str`` and ``get_info``, with upstream tasks by family and unique id.

``repr(task)`` is ``Family[unique id](param=value, ..., upstream=Family(unique id))`` over the significant
parameters, private ones included; ``str(task)`` leaves the private ones out (as gokart). ``get_info``
is luigi's string parameters with each upstream task as ``Class-<unique id>``.
"""

from __future__ import annotations

from typing import Any

import luigi
from luigi.parameter import ParameterVisibility

from kartcore.task.hashing import is_kart_task


def is_task_or_tasks(value: Any) -> bool:
    """A kart task, or a non-empty tuple of them (what a ListTaskInstanceParameter holds)."""
    return is_kart_task(value) or (isinstance(value, tuple) and bool(value) and all(map(is_kart_task, value)))


def _tasks_as(value: Any, pattern: str, name_of: Any) -> str:
    if is_kart_task(value):
        return pattern.format(name_of(value), value.make_unique_id())
    return "[" + ", ".join(pattern.format(name_of(item), item.make_unique_id()) for item in value) + "]"


def task_string(task: Any, only_public: bool) -> str:
    """The text of ``repr(task)`` (``only_public=False``) or ``str(task)``."""
    parts = []
    for name, param in task.get_params():
        if not param.significant or (only_public and param.visibility != ParameterVisibility.PUBLIC):
            continue
        value = task.param_kwargs[name]
        shown = _tasks_as(value, "{}({})", _family) if is_task_or_tasks(value) else str(param.serialize(value))
        parts.append(f"{name}={shown}")
    return f"{task.get_task_family()}[{task.make_unique_id()}]({', '.join(parts)})"


def info(task: Any, only_significant: bool) -> dict[str, str]:
    """``get_info``: luigi's string parameters, each upstream task shown as ``Class-<unique id>``."""
    shown = task.to_str_params(only_significant=only_significant)
    for name in shown:
        value = getattr(task, name)
        if is_task_or_tasks(value):
            shown[name] = _tasks_as(value, "{}-{}", _class_name)
    return shown


def _family(task: luigi.Task) -> str:
    return task.get_task_family()


def _class_name(task: luigi.Task) -> str:
    return type(task).__name__
