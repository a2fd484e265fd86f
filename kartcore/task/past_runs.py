"""What the records of a task's past run say, read without unpickling whenever the workspace allows.

A finished run leaves a JSON run record, ``log/run_record/<Class>_<unique id>.json`` (parameters,
times, seed, outputs, module versions; written by :mod:`kartcore.task.records`). Reading it runs no
code, so ``restore()``, ``get_processing_time()``, ``kart history`` and ``kart show`` use it first
(read by :func:`kartcore.task.records.read_run_record`).
Workspaces written by gokart or an older kartcore only hold the ``.pkl`` records: those are read
through the target's trust policy, like any pickle (``refuse_foreign_pickles``), never around it.
"""

from __future__ import annotations

import datetime
from typing import Any

from kartcore.errors import FormatError, OutputNotFoundError
from kartcore.io import Target
from kartcore.task import records
from kartcore.task.integrity import trust_of
from kartcore.task.naming import log_path

RUN_RECORD = records.RUN_RECORD
#: The keys a run record must hold to be believed (others are ignored).
REQUIRED_KEYS = frozenset({"format", "unique_id", "params", "started_at", "finished_at", "processing_time"})


def run_record(workspace: str, class_name: str, unique_id: str) -> dict[str, Any] | None:
    """The JSON run record of one run, or None when there is none (or it is not a run record we can read).

    A store that cannot be reached raises :class:`~kartcore.errors.StorageError` rather than
    looking like "no record".
    """
    try:
        found = records.read_run_record(log_path(workspace, RUN_RECORD, class_name, unique_id, ".json"))
    except FormatError:  # damaged: no record to believe (the pickles, if any, still say what they say)
        return None
    valid = (
        isinstance(found, dict)
        and set(found) >= REQUIRED_KEYS
        and found.get("format") == records.RUN_RECORD_FORMAT
        and found.get("unique_id") == unique_id
        and isinstance(found.get("params"), dict)
    )
    return found if valid else None


def timestamp(value: Any) -> datetime.datetime | None:
    """An ISO 8601 time of a run record as naive local time (as file times are shown), None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone().replace(tzinfo=None)


def processing_time(task: Any) -> float | str:
    """Seconds the last successful run took (from the JSON record, else the pickle), or ``'unknown'``."""
    found = run_record(task.workspace_directory, type(task).__name__, task.make_unique_id())
    if found is not None and isinstance(found["processing_time"], (int, float)):
        return float(found["processing_time"])
    try:
        return records.record_target(task, records.PROCESSING_TIME).load(trust=trust_of(task))
    except OutputNotFoundError:
        return "unknown"


def task_log(task: Any) -> dict[str, Any]:
    """The task_log record of the last successful run (a pickle: it holds the user's objects), or the in-memory one."""
    try:
        return records.record_target(task, records.TASK_LOG).load(trust=trust_of(task))
    except OutputNotFoundError:
        return task.task_log


def recorded_params(probe: Any, class_name: str, unique_id: str) -> dict[str, str]:
    """The parameters of run ``unique_id`` of ``class_name`` in ``probe``'s workspace (pickles under its policy)."""
    found = run_record(probe.workspace_directory, class_name, unique_id)
    if found is not None:
        return {str(key): str(value) for key, value in found["params"].items()}
    path = log_path(probe.workspace_directory, records.TASK_PARAMS, class_name, unique_id, ".pkl")
    return Target(path, trust=trust_of(probe)).load()


__all__ = ["RUN_RECORD", "processing_time", "recorded_params", "run_record", "task_log", "timestamp"]
