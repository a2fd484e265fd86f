"""The DAG as an indented text tree with each task's state, in gokart's format::

    └─-(PENDING) Main[c4a0...]
       └─-(PENDING) StringToSplit[b8a0...]
          └─-(COMPLETE) Sample[5b3e...]

Checking state never runs anything and never consumes a pending ``rerun``. The walk is iterative,
so deep chains do not hit the recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.task import TaskOnKart

LAST, MIDDLE = "└─-", "|--"
LAST_INDENT, MIDDLE_INDENT = "   ", "|  "
ABBREVIATED = "└─- ..."


def is_done(task: luigi.Task) -> bool:
    """Whether the task's outputs exist, without side effects for kart tasks."""
    if isinstance(task, TaskOnKart):
        return all(target.exists() for target in flatten(task.output()))
    return task.complete()


def make_tree_info(
    task: luigi.Task,
    indent: str = "",
    last: bool = True,
    details: bool = False,
    abbr: bool = True,
    visited_tasks: set[str] | None = None,
    ignore_task_names: Iterable[str] | None = None,
) -> str:
    """The tree under ``task``; ``abbr`` shows a repeated subtree once, ``details`` adds params, paths, time, log."""
    ignored = set(ignore_task_names or ())
    visited = visited_tasks if visited_tasks is not None else set()
    parts: list[str] = []
    stack: list[tuple[luigi.Task, str, bool]] = [(task, indent, last)]
    while stack:
        node, prefix, is_last = stack.pop()
        child_indent = prefix + (LAST_INDENT if is_last else MIDDLE_INDENT)
        state = "COMPLETE" if is_done(node) else "PENDING"
        parts.append(f"\n{prefix}{LAST if is_last else MIDDLE}({state}) {_name(node)}")
        if details:
            parts.append(_details(node))
        key = _name(node)
        if abbr and key in visited:
            parts.append(f"\n{child_indent}{ABBREVIATED}")
            continue
        visited.add(key)
        children = [child for child in flatten(node.requires()) if type(child).__name__ not in ignored]
        for position, child in reversed(list(enumerate(children))):
            stack.append((child, child_indent, position == len(children) - 1))
    return "".join(parts)


def tree_info(task: luigi.Task, details: bool = False, abbr: bool = True) -> str:
    """The DAG of ``task`` as text (see :func:`make_tree_info`)."""
    return make_tree_info(task, details=details, abbr=abbr)


make_task_info_as_tree_str = make_tree_info


def _name(task: luigi.Task) -> str:
    if isinstance(task, TaskOnKart):
        return f"{type(task).__name__}[{task.make_unique_id()}]"
    return f"{type(task).__name__}[{task.task_id}]"


def _details(task: Any) -> str:
    if not isinstance(task, TaskOnKart):
        return f"(parameter={task.to_str_params(only_significant=True)})"
    outputs = [target.path() for target in flatten(task.output())]
    time = task.get_processing_time()
    shown_time = f"{time}s" if isinstance(time, float) else time
    params = task.get_info(only_significant=True)
    return f"(parameter={params}, output={outputs}, time={shown_time}, task_log={task.get_task_log()})"
