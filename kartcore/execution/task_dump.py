"""``build(task, task_dump_config=...)``: before running, show or save the DAG as a tree or a table (as gokart).

* ``TaskDumpConfig(TREE, PRINT)`` / ``(TABLE, PRINT)`` log the text tree / the table as tab-separated text
  at INFO on this module's logger (shown when ``build(log_level=logging.INFO)`` or lower, as in gokart);
* ``(TREE, DUMP)`` / ``(TABLE, DUMP)`` write ``log/task_info/<Root>_<uid>.txt`` / ``.pkl`` (a DataFrame)
  in the workspace, with the uid of a bare ``TaskOnKart`` as gokart does (each dump replaces the last).

The state shown is the one before the build. Any other combination than these and ``(NONE, NONE)``
(the default: nothing) raises ``UsageError``, before anything runs.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
import logging

import luigi

from kartcore.errors import UsageError
from kartcore.task import TaskOnKart

logger = logging.getLogger(__name__)


class TaskDumpMode(enum.Enum):
    TREE = "tree"
    TABLE = "table"
    NONE = "none"


class TaskDumpOutputType(enum.Enum):
    PRINT = "print"
    DUMP = "dump"
    NONE = "none"


@dataclasses.dataclass
class TaskDumpConfig:
    mode: TaskDumpMode = TaskDumpMode.NONE
    output_type: TaskDumpOutputType = TaskDumpOutputType.NONE


def process_task_info(task: luigi.Task, config: TaskDumpConfig | None = None) -> None:
    """Show or save ``task``'s DAG as ``config`` says (see the module docstring)."""
    config = config or TaskDumpConfig()
    mode, output = config.mode, config.output_type
    if (mode, output) == (TaskDumpMode.NONE, TaskDumpOutputType.NONE):
        return
    if (
        not isinstance(mode, TaskDumpMode)
        or not isinstance(output, TaskDumpOutputType)
        or TaskDumpMode.NONE is mode
        or TaskDumpOutputType.NONE is output
    ):
        raise UsageError(
            f"unsupported {config}: give both a mode (TREE or TABLE) and an output_type (PRINT or DUMP), or neither"
        )
    # Imported here: ``import kartcore`` stays cheap, and the table alone needs pandas.
    from kartcore.inspection.table import make_task_info_as_table, task_info_rows
    from kartcore.inspection.tree import make_tree_info

    name = type(task).__name__
    if mode is TaskDumpMode.TREE:
        tree = make_tree_info(task)
        if output is TaskDumpOutputType.PRINT:
            logger.info(tree)
        else:
            TaskOnKart().make_target(f"log/task_info/{name}.txt").dump(tree)
    elif output is TaskDumpOutputType.PRINT:
        logger.info(_tab_separated(task_info_rows(task)))
    else:
        TaskOnKart().make_target(f"log/task_info/{name}.pkl").dump(make_task_info_as_table(task))


def _tab_separated(rows: list[dict[str, object]]) -> str:
    from kartcore.inspection.table import COLUMNS

    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()
