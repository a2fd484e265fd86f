"""The DAG as an indented text tree with each task's state, in gokart's format::

    └─-(PENDING) Main[c4a0...]
       └─-(PENDING) StringToSplit[b8a0...]
          └─-(COMPLETE) Sample[5b3e...]

Checking state never runs anything and never consumes a pending ``rerun``. The walk is iterative,
so deep chains do not hit the recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.task import TaskOnKart
from kartcore.task.resolution import frozen_configuration

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
    """The tree under ``task``; ``abbr`` shows a repeated subtree once, ``details`` adds params, paths, time, log.

    Each class's parameter defaults are resolved once for the walk, as during ``build()``
    (:func:`~kartcore.task.resolution.frozen_configuration`): resolving them at every instantiation made a
    5,000-task tree take 20 times longer than the build's own walk.
    """
    ignored = set(ignore_task_names or ())
    visited = visited_tasks if visited_tasks is not None else set()
    parts: list[str] = []
    stack: list[tuple[luigi.Task, str, bool]] = [(task, indent, last)]
    with frozen_configuration():
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


@dataclass
class Dag:
    """Every task of a DAG once, keyed by luigi task id, with its requirements (for renderers and cleaning)."""

    root: luigi.Task
    tasks: dict[str, luigi.Task] = field(default_factory=dict)
    requires: dict[str, list[str]] = field(default_factory=dict)

    def dependents(self) -> dict[str, list[str]]:
        """The reverse edges: for each task, the tasks that require it."""
        found: dict[str, list[str]] = {task_id: [] for task_id in self.tasks}
        for task_id, required in self.requires.items():
            for requirement in required:
                found[requirement].append(task_id)
        return found

    def upstream_first(self) -> list[str]:
        """Task ids ordered so that each comes after everything it requires (states and layers build on it)."""
        order: list[str] = []
        seen: set[str] = set()
        for start in self.tasks:
            if start in seen:
                continue
            seen.add(start)
            stack = [(start, iter(self.requires[start]))]
            while stack:
                node, pending = stack[-1]
                child = next((c for c in pending if c not in seen), None)
                if child is None:
                    stack.pop()
                    order.append(node)
                else:
                    seen.add(child)
                    stack.append((child, iter(self.requires[child])))
        return order


def walk_dag(task: luigi.Task) -> Dag:
    """Visit each task of ``task``'s DAG once (root first, depth-first), without running or completing anything.

    The text tree repeats shared subtrees; renderers and ``kart clean`` need each task once, and the walk
    must stay iterative for the same reason as :func:`make_tree_info`.
    """
    dag = Dag(root=task)
    stack = [task]
    while stack:
        node = stack.pop()
        if node.task_id in dag.tasks:
            continue
        dag.tasks[node.task_id] = node
        children = flatten(node.requires())
        dag.requires[node.task_id] = list(dict.fromkeys(child.task_id for child in children))
        stack.extend(reversed(children))
    return dag
