"""Every cached run of a task class, read back from the run records in a workspace.

Each run leaves ``log/task_params/<Class>_<unique id>.pkl`` (its parameters), ``processing_time``
and ``task_log`` records next to it (see :mod:`kartcore.task.records`), so the history of a task is
already in the workspace: which parameters were tried, how long each run took, when, and whether
its output is still there. Nothing here runs or changes anything.

Every file access goes through :mod:`kartcore.io.storage`, so a workspace in an object store
(``s3://bucket/prefix``) has the same history as one on the local disk.

The records are named by class name (gokart's layout), so two classes with the same name in
different modules share one history.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import luigi
from luigi.task_register import Register, TaskClassException

from kartcore import config
from kartcore.errors import KartError
from kartcore.io import Target
from kartcore.io.storage import join, storage_for
from kartcore.task.naming import LOG_DIRECTORY, log_path
from kartcore.task.records import PROCESSING_TIME, TASK_LOG, TASK_PARAMS

if TYPE_CHECKING:
    import pandas

DEFAULT_WORKSPACE = "./resources/"


@dataclass(frozen=True)
class RunRecord:
    """One cached run: its unique id, parameters, timing and the outputs it wrote."""

    unique_id: str
    params: dict[str, str]
    started: datetime.datetime
    finished: datetime.datetime | None
    processing_time: float | None
    outputs: tuple[str, ...] = field(default=())

    @property
    def cached(self) -> bool:
        """Whether every output the run wrote is still there (so the next build reuses it)."""
        return bool(self.outputs) and all(storage_for(path).exists(path) for path in self.outputs)


def class_name_of(task_class_or_name: type | str) -> str:
    """The class name the records use, from a class, a luigi family (``pkg.Task``) or a class name."""
    if isinstance(task_class_or_name, type):
        return task_class_or_name.__name__
    try:
        return Register.get_task_cls(task_class_or_name).__name__
    except TaskClassException:
        return task_class_or_name.rsplit(".", 1)[-1]


def workspace_of(task_class: type[luigi.Task]) -> str:
    """The workspace a task of this class writes to by default: its config section, ``[TaskOnKart]``, default."""
    family = task_class.get_task_family()
    params = dict(task_class.get_params())
    param = params.get("workspace_directory")
    if param is None:
        return DEFAULT_WORKSPACE
    shared = config.shared_values(family, ["workspace_directory"])
    if "workspace_directory" in shared:
        return shared["workspace_directory"]
    if param.has_task_value(family, "workspace_directory"):
        return str(param.task_value(family, "workspace_directory"))
    return DEFAULT_WORKSPACE


def runs(task_class_or_name: type | str, workspace: str | None = None) -> list[RunRecord]:
    """The runs recorded in ``workspace`` for the class, oldest first."""
    name = class_name_of(task_class_or_name)
    if workspace is None:
        workspace = workspace_of(task_class_or_name) if isinstance(task_class_or_name, type) else DEFAULT_WORKSPACE
    directory = join(workspace, LOG_DIRECTORY, TASK_PARAMS)
    pattern = re.compile(re.escape(name) + r"_([0-9a-f]{32})\.pkl")
    found = []
    for entry in storage_for(directory).list_names(directory):
        match = pattern.fullmatch(entry)
        if match:
            found.append(_read_run(workspace, name, match.group(1)))
    return sorted(found, key=lambda run: (run.finished or run.started, run.unique_id))


def task_history(task_class_or_name: type | str, workspace: str | None = None) -> pandas.DataFrame:
    """The runs as a pandas DataFrame, one row per run, one column per parameter.

    Columns: ``unique_id``, ``started``, ``finished``, ``processing_time`` (seconds), ``cached``
    (its outputs still exist), ``outputs``, then the parameters (prefixed ``param_`` if a name
    clashes with those).
    """
    import pandas  # only this function needs pandas; ``import kartcore`` stays light

    fixed = ("unique_id", "started", "finished", "processing_time", "cached", "outputs")
    rows = []
    for run in runs(task_class_or_name, workspace):
        row: dict[str, Any] = {
            "unique_id": run.unique_id,
            "started": run.started,
            "finished": run.finished,
            "processing_time": run.processing_time,
            "cached": run.cached,
            "outputs": list(run.outputs),
        }
        for key, value in run.params.items():
            row[f"param_{key}" if key in fixed else key] = value
        rows.append(row)
    frame = pandas.DataFrame(rows, columns=None if rows else list(fixed))
    for column in ("started", "finished"):
        frame[column] = pandas.to_datetime(frame[column])
    frame["processing_time"] = frame["processing_time"].astype("float64")
    return frame


def _read_run(workspace: str, name: str, unique_id: str) -> RunRecord:
    def record_path(kind: str) -> str:
        return log_path(workspace, kind, name, unique_id, ".pkl")

    params_path = record_path(TASK_PARAMS)
    params = _load(params_path)
    seconds = _load(record_path(PROCESSING_TIME))
    task_log = _load(record_path(TASK_LOG))
    finished_at = _mtime(record_path(TASK_LOG)) or _mtime(record_path(PROCESSING_TIME))
    outputs = task_log.get("file_path", []) if isinstance(task_log, dict) else []
    return RunRecord(
        unique_id=unique_id,
        params={str(k): str(v) for k, v in params.items()} if isinstance(params, dict) else {},
        started=_mtime(params_path) or datetime.datetime.fromtimestamp(0),
        finished=finished_at,
        processing_time=float(seconds) if isinstance(seconds, (int, float)) else None,
        outputs=tuple(str(path) for path in outputs),
    )


def _load(path: str) -> Any:
    """A record's content, or None when it is missing or unreadable (a history shows what it can).

    A store that cannot be reached raises (StorageError from ``exists``) rather than showing gaps.
    """
    if not storage_for(path).exists(path):
        return None
    try:
        return Target(path).load()
    except KartError:
        return None


def _mtime(path: str) -> datetime.datetime | None:
    """When the record was written (naive local time), None when it is missing."""
    try:
        return storage_for(path).modified(path)
    except OSError:
        return None
