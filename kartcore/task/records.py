"""The run records every task leaves under ``<workspace>/log/``, in gokart's layout.

``task_params``, ``random_seed`` and ``module_versions`` are written when the task starts,
``processing_time`` when ``run()`` returned, ``task_log`` just before the outputs are published.
All of them are written atomically and are idempotent (a rerun overwrites them), and all of them
are written *before* the main output, whose existence marks the task complete.
"""

from __future__ import annotations

from typing import Any

from kartcore.io import Target
from kartcore.io.formats import format_for_extension
from kartcore.task.module_versions import module_versions_text
from kartcore.task.naming import log_path

TASK_PARAMS = "task_params"
RANDOM_SEED = "random_seed"
MODULE_VERSIONS = "module_versions"
PROCESSING_TIME = "processing_time"
TASK_LOG = "task_log"


def record_target(task: Any, kind: str, extension: str = ".pkl") -> Target:
    """The target of one run record of ``task``."""
    path = log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)
    return Target(path, format_for_extension(extension), owner=task.label())


def write_start_records(task: Any, seed_record: dict[str, Any]) -> None:
    """Parameters, seed and module versions: what is needed to reproduce the run."""
    record_target(task, TASK_PARAMS).dump(task.to_str_params(only_significant=True))
    record_target(task, RANDOM_SEED).dump(seed_record)
    record_target(task, MODULE_VERSIONS, ".txt").dump(module_versions_text())


def write_processing_time(task: Any, seconds: float) -> None:
    """Seconds spent in ``run()``."""
    record_target(task, PROCESSING_TIME).dump(float(seconds))


def write_task_log(task: Any, output_paths: list[str]) -> None:
    """The user's ``self.task_log`` plus the output paths."""
    record_target(task, TASK_LOG).dump(dict(task.task_log, file_path=output_paths))


def read_record(task: Any, kind: str, extension: str = ".pkl") -> Any:
    """Read one record back (e.g. for tree info or ``restore``)."""
    return record_target(task, kind, extension).load()
