"""``gokart.tree.task_info_formatter``: the DAG as a tree of :class:`TaskInfo` objects.

Each node holds the columns of kartcore's task table (:func:`kartcore.inspection.table.task_row`) plus
``requires`` in the shape ``requires()`` returned and the child nodes; a task reached twice is one
node (so a pickled tree stays as small as the DAG).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from luigi.task import flatten

from kartcore import TaskOnKart
from kartcore.inspection.table import RequiredTask, task_row

__all__ = ["RequiredTask", "TaskInfo", "make_task_info_tree"]


@dataclass
class TaskInfo:
    name: str
    unique_id: str
    output_paths: list[str]
    params: dict[str, Any]
    processing_time: str
    is_complete: str
    task_log: dict[str, Any]
    requires: Any
    children_task_infos: list[TaskInfo]

    def get_task_id(self) -> str:
        return f"{self.name}_{self.unique_id}"

    def get_task_title(self) -> str:
        return f"({self.is_complete}) {self.name}[{self.unique_id}]"

    def get_task_detail(self) -> str:
        return (
            f"(parameter={self.params}, output={self.output_paths}, time={self.processing_time}, "
            f"task_log={self.task_log})"
        )

    def task_info_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "children_task_infos"}


def _make_requires_info(requires: Any) -> Any:
    """``requires()``'s answer with each task replaced by its ``RequiredTask(name, unique_id)``."""
    if isinstance(requires, TaskOnKart):
        return RequiredTask(type(requires).__name__, requires.make_unique_id())
    if isinstance(requires, dict):
        return {key: _make_requires_info(value) for key, value in requires.items()}
    if isinstance(requires, Iterable) and not isinstance(requires, str):
        return [_make_requires_info(item) for item in requires]
    raise TypeError(
        f"requires() returned {type(requires).__name__}; expected a TaskOnKart, an iterable of them or a dict of them"
    )


def make_task_info_tree(
    task: TaskOnKart[Any], ignore_task_names: list[str] | None = None, cache: dict[str, TaskInfo] | None = None
) -> TaskInfo:
    """The :class:`TaskInfo` tree under ``task``, leaving out tasks whose class name is in ``ignore_task_names``."""
    ignored = set(ignore_task_names or ())
    cache = {} if cache is None else cache
    key = f"{type(task).__name__}_{task.make_unique_id()}"
    if key in cache:
        return cache[key]
    children = [child for child in flatten(task.requires()) if type(child).__name__ not in ignored]
    row = task_row(task, children)
    info = TaskInfo(
        **{**row, "requires": _make_requires_info(task.requires()), "task_log": dict(row["task_log"])},
        children_task_infos=[make_task_info_tree(child, ignore_task_names, cache) for child in children],
    )
    cache[key] = info
    return info
