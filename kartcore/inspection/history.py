"""Every cached run of a task class, read back from the run records in a workspace.

A finished run leaves a JSON run record, ``log/run_record/<Class>_<unique id>.json`` (parameters,
times, outputs; see :mod:`kartcore.task.past_runs`); every run, finished or not, leaves
``log/task_params/<Class>_<unique id>.pkl`` when it starts. So the history of a task is already in
the workspace: which parameters were tried, how long each run took, when, whether it finished and
whether its output is still there. Nothing here runs or changes anything.

Reading the JSON record runs no code. Workspaces written by gokart or an older kartcore only have
the ``.pkl`` records (``task_params``, ``processing_time``, ``task_log``): they are read only under
the trust policy (``refuse_foreign_pickles``); a record it refuses is shown as an untrusted record,
never unpickled. A run whose ``task_log`` was never written failed (or is still running): it is
shown as not finished, without a made-up finish time.

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
from kartcore.errors import KartError, UntrustedFileError
from kartcore.io import Target
from kartcore.io.storage import join, storage_for
from kartcore.io.trust import TrustPolicy, configured_policy
from kartcore.task.naming import LOG_DIRECTORY, log_path
from kartcore.task.past_runs import RUN_RECORD, run_record, timestamp
from kartcore.task.records import PROCESSING_TIME, TASK_LOG, TASK_PARAMS

if TYPE_CHECKING:
    import pandas

DEFAULT_WORKSPACE = "./resources/"


FINISHED, NOT_FINISHED, UNTRUSTED = "finished", "not finished", "untrusted record"


@dataclass(frozen=True)
class RunRecord:
    """One run: its unique id, parameters, timing, the outputs it wrote and whether it finished.

    ``status`` is ``"finished"``, ``"not finished"`` (it failed, or is still running) or
    ``"untrusted record"`` (a ``.pkl`` record the trust policy refused: ``problem`` says why).
    """

    unique_id: str
    params: dict[str, str]
    started: datetime.datetime
    finished: datetime.datetime | None
    processing_time: float | None
    outputs: tuple[str, ...] = field(default=())
    status: str = FINISHED
    problem: str = ""

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
    """The runs recorded in ``workspace`` for the class, oldest first.

    ``.pkl`` records are read under the configured trust policy (``[<family>]``, then ``[TaskOnKart]``).
    """
    name = class_name_of(task_class_or_name)
    family = None
    if isinstance(task_class_or_name, type) and issubclass(task_class_or_name, luigi.Task):
        family = task_class_or_name.get_task_family()
        workspace = workspace if workspace is not None else workspace_of(task_class_or_name)
    workspace = workspace if workspace is not None else DEFAULT_WORKSPACE
    policy = configured_policy(family)
    unique_ids: set[str] = set()
    for kind, extension in ((TASK_PARAMS, ".pkl"), (RUN_RECORD, ".json")):
        directory = join(workspace, LOG_DIRECTORY, kind)
        pattern = re.compile(re.escape(name) + r"_([0-9a-f]{32})" + re.escape(extension))
        for entry in storage_for(directory).list_names(directory):
            match = pattern.fullmatch(entry)
            if match:
                unique_ids.add(match.group(1))
    found = [run for unique_id in unique_ids if (run := read_run(workspace, name, unique_id, policy)) is not None]
    return sorted(found, key=lambda run: (run.finished or run.started, run.unique_id))


def task_history(task_class_or_name: type | str, workspace: str | None = None) -> pandas.DataFrame:
    """The runs as a pandas DataFrame, one row per run, one column per parameter.

    Columns: ``unique_id``, ``started``, ``finished``, ``processing_time`` (seconds), ``cached``
    (its outputs still exist), ``status`` (finished, not finished, untrusted record), ``outputs``,
    then the parameters (prefixed ``param_`` if a name clashes with those).
    """
    import pandas  # only this function needs pandas; ``import kartcore`` stays light

    fixed = ("unique_id", "started", "finished", "processing_time", "cached", "status", "outputs")
    rows = []
    for run in runs(task_class_or_name, workspace):
        row: dict[str, Any] = {
            "unique_id": run.unique_id,
            "started": run.started,
            "finished": run.finished,
            "processing_time": run.processing_time,
            "cached": run.cached,
            "status": run.status,
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


def read_run(workspace: str, class_name: str, unique_id: str, policy: TrustPolicy) -> RunRecord | None:
    """One run of ``class_name`` from its records (the JSON one, else the ``.pkl`` ones under ``policy``).

    None when no run left a record. The same reading as :func:`runs`, for ``kart show``.
    """
    recorded = run_record(workspace, class_name, unique_id)
    if recorded is not None:
        return _from_run_record(recorded, workspace, class_name)

    def record_path(kind: str) -> str:
        return log_path(workspace, kind, class_name, unique_id, ".pkl")

    params_path = record_path(TASK_PARAMS)
    started = _mtime(params_path)
    if started is None:
        return None
    problems: list[str] = []
    params = _load(params_path, policy, problems)
    params_text = {str(k): str(v) for k, v in params.items()} if isinstance(params, dict) else {}
    finished_at = _mtime(record_path(TASK_LOG))
    if finished_at is None:  # the task log is written when a run succeeds: this one failed or still runs
        status = UNTRUSTED if problems else NOT_FINISHED
        return RunRecord(unique_id, params_text, started, None, None, (), status, "; ".join(problems))
    seconds = _load(record_path(PROCESSING_TIME), policy, problems)
    task_log = _load(record_path(TASK_LOG), policy, problems)
    outputs = task_log.get("file_path", []) if isinstance(task_log, dict) else []
    return RunRecord(
        unique_id=unique_id,
        params=params_text,
        started=started,
        finished=finished_at,
        processing_time=float(seconds) if isinstance(seconds, (int, float)) else None,
        outputs=tuple(str(path) for path in outputs),
        status=UNTRUSTED if problems else FINISHED,
        problem="; ".join(problems),
    )


def _from_run_record(recorded: dict[str, Any], workspace: str, name: str) -> RunRecord:
    """A run from its JSON record: no unpickling at all."""
    unique_id = recorded["unique_id"]
    started = timestamp(recorded["started_at"]) or _mtime(log_path(workspace, RUN_RECORD, name, unique_id, ".json"))
    seconds = recorded["processing_time"]
    outputs = recorded.get("output_paths")
    return RunRecord(
        unique_id=unique_id,
        params={str(k): str(v) for k, v in recorded["params"].items()},
        started=started or datetime.datetime.fromtimestamp(0),
        finished=timestamp(recorded["finished_at"]),
        processing_time=float(seconds) if isinstance(seconds, (int, float)) else None,
        outputs=tuple(str(path) for path in outputs) if isinstance(outputs, list) else (),
    )


def _load(path: str, policy: TrustPolicy, problems: list[str]) -> Any:
    """A ``.pkl`` record's content under ``policy``, or None when it is missing, unreadable or refused.

    A history shows what it can: a refused record is noted in ``problems`` (never unpickled), a store
    that cannot be reached raises (StorageError from ``exists``) rather than showing gaps.
    """
    if not storage_for(path).exists(path):
        return None
    try:
        return Target(path, trust=policy).load()
    except UntrustedFileError as exc:
        problems.append(str(exc))
        return None
    except KartError:
        return None


def _mtime(path: str) -> datetime.datetime | None:
    """When the record was written (naive local time), None when it is missing."""
    try:
        return storage_for(path).modified(path)
    except OSError:
        return None
