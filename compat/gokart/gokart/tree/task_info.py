"""``gokart.tree.task_info``: the dependency tree as text, a table, a :class:`TaskInfo` tree, or saved to a file."""

from __future__ import annotations

import os
from typing import Any

from gokart.tree.task_info_formatter import TaskInfo, make_task_info_tree
from kartcore import TaskOnKart, make_task_info_as_tree_str
from kartcore.inspection.table import make_task_info_as_table

__all__ = [
    "TaskInfo",
    "dump_task_info_table",
    "dump_task_info_tree",
    "make_task_info_as_table",
    "make_task_info_as_tree_str",
    "make_task_info_tree",
]


def dump_task_info_table(
    task: TaskOnKart[Any], task_info_dump_path: str, ignore_task_names: list[str] | None = None
) -> None:
    """Write the task table (a DataFrame) to ``<path base>_<root unique id><ext>``, in the extension's format."""
    from gokart.target import make_target

    table = make_task_info_as_table(task, ignore_task_names=ignore_task_names)
    make_target(file_path=task_info_dump_path, unique_id=task.make_unique_id()).dump(obj=table, lock_at_dump=False)


def dump_task_info_tree(
    task: TaskOnKart[Any],
    task_info_dump_path: str,
    ignore_task_names: list[str] | None = None,
    use_unique_id: bool = True,
) -> None:
    """Pickle the :class:`TaskInfo` tree to ``task_info_dump_path`` (which must end in ``.pkl``)."""
    from gokart.target import make_target

    extension = os.path.splitext(task_info_dump_path)[1]
    if extension != ".pkl":
        raise AssertionError(f"the task info tree is pickled: the file extension must be .pkl, not {extension!r}")
    tree = make_task_info_tree(task, ignore_task_names=ignore_task_names)
    unique_id = task.make_unique_id() if use_unique_id else None
    make_target(file_path=task_info_dump_path, unique_id=unique_id).dump(obj=tree, lock_at_dump=False)
