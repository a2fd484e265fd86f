"""The DAG as a table, one row per task (gokart's ``make_task_info_as_table``), for ``build(task_dump_config=...)``.

Columns as gokart's: name, unique_id, output_paths, params, processing_time, is_complete, task_log,
requires (a list of ``RequiredTask(name, unique_id)``). Each task appears once, root first. Reading the
state never runs anything. pandas is imported only here, when a table is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import luigi
from luigi.task import flatten

from kartcore.inspection.tree import is_done, walk_dag
from kartcore.task import TaskOnKart
from kartcore.task.resolution import frozen_configuration

COLUMNS = ("name", "unique_id", "output_paths", "params", "processing_time", "is_complete", "task_log", "requires")


class RequiredTask(NamedTuple):
    name: str
    unique_id: str


def task_info_rows(task: luigi.Task, ignore_task_names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One dict per task of the DAG (the table's rows), without pandas."""
    ignored = set(ignore_task_names or ())
    rows = []
    with frozen_configuration():
        for node in walk_dag(task).tasks.values():
            if type(node).__name__ in ignored:
                continue
            required = [child for child in flatten(node.requires()) if type(child).__name__ not in ignored]
            rows.append(task_row(node, required))
    return rows


def make_task_info_as_table(task: luigi.Task, ignore_task_names: Iterable[str] | None = None) -> Any:
    """The rows of :func:`task_info_rows` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(task_info_rows(task, ignore_task_names), columns=list(COLUMNS))


def task_row(task: luigi.Task, required: list[luigi.Task]) -> dict[str, Any]:
    """The table row of ``task`` (its required tasks given, for the ``requires`` column)."""
    kart = isinstance(task, TaskOnKart)
    time = task.get_processing_time() if kart else "unknown"
    return {
        "name": type(task).__name__,
        "unique_id": unique_id_of(task),
        "output_paths": [_path(target) for target in flatten(task.output())],
        "params": task.get_info(only_significant=True) if kart else task.to_str_params(only_significant=True),
        "processing_time": f"{time}s" if isinstance(time, float) else time,
        "is_complete": "COMPLETE" if is_done(task) else "PENDING",
        "task_log": task.get_task_log() if kart else {},
        "requires": [RequiredTask(type(child).__name__, unique_id_of(child)) for child in required],
    }


def unique_id_of(task: luigi.Task) -> str:
    """A kart task's unique id, or luigi's task id for a plain luigi task."""
    return task.make_unique_id() if isinstance(task, TaskOnKart) else task.task_id


def _path(target: Any) -> str:
    path = getattr(target, "path", "")
    return str(path() if callable(path) else path)
