"""The run records every task leaves under ``<workspace>/log/``, in gokart's layout, plus one JSON record.

``task_params``, ``random_seed`` and ``module_versions`` are gathered when the task starts,
``processing_time``, ``task_log`` and ``run_record`` when ``run()`` returned. None of them is written
in place during the run: they are staged with the outputs (:mod:`kartcore.task.staging`) and published
only after ``run()`` succeeded, before the main output, whose existence marks the task complete. So a
failed run, or a failed ``rerun``, leaves the records of the previous run next to its outputs.

The gokart records are pickles (and a text file), readable only by unpickling. ``run_record``
(``log/run_record/<Class>_<unique id>.json``) says the same in JSON, for tools that must not run code
from a workspace (``kart history``, ``kart show``): see :func:`run_record` for its keys.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from typing import Any

from kartcore.errors import FormatError
from kartcore.io import Target
from kartcore.io.formats import format_for_extension
from kartcore.io.storage import storage_for
from kartcore.task import fingerprint, fingerprint_inputs
from kartcore.task.naming import log_path
from kartcore.task.staging import StagedOutputs

TASK_PARAMS = "task_params"
RANDOM_SEED = "random_seed"
MODULE_VERSIONS = "module_versions"
PROCESSING_TIME = "processing_time"
TASK_LOG = "task_log"
RUN_RECORD = "run_record"
RUN_RECORD_FORMAT = 1


@dataclass
class RunFacts:
    """What the records say about one run: gathered before ``run()``, completed when it returned."""

    seed: int
    seed_methods: list[str]
    module_versions: str
    started_at: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    started: float = 0.0  # time.perf_counter() when run() started, for processing_time
    #: Input path -> its state when ``run()`` loaded it (:mod:`kartcore.task.fingerprint_inputs`).
    consumed: dict[str, dict[str, Any]] = field(default_factory=dict)


def record_target(task: Any, kind: str, extension: str = ".pkl") -> Target:
    """The target of one run record of ``task``."""
    path = log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)
    return Target(path, format_for_extension(extension), owner=task.label())


def stage_start_records(task: Any, staged: StagedOutputs, facts: RunFacts) -> None:
    """Parameters, seed and module versions: what is needed to reproduce the run."""
    staged.stage_record(record_target(task, TASK_PARAMS), task.to_str_params(only_significant=True))
    staged.stage_record(record_target(task, RANDOM_SEED), {"seed": facts.seed, "seed_methods": facts.seed_methods})
    staged.stage_record(record_target(task, MODULE_VERSIONS, ".txt"), facts.module_versions)


def stage_end_records(task: Any, staged: StagedOutputs, facts: RunFacts, seconds: float, outputs: list[str]) -> None:
    """Seconds spent in ``run()``, the user's ``self.task_log`` with the output paths, and the JSON record."""
    staged.stage_record(record_target(task, PROCESSING_TIME), float(seconds))
    staged.stage_record(record_target(task, TASK_LOG), dict(task.task_log, file_path=outputs))
    staged.stage_record(record_target(task, RUN_RECORD, ".json"), run_record(task, facts, seconds, outputs))


def run_record(task: Any, facts: RunFacts, seconds: float, outputs: list[str]) -> dict[str, Any]:
    """The JSON run record (format 1); other tools read these keys, so they only ever get added to.

    ``fingerprints`` (added later, so records of older kartcore versions lack it): ``scheme`` (how code is
    hashed), ``code`` (:meth:`~kartcore.task.fingerprint.CodeFingerprint.as_record`) and ``inputs`` (what the
    run consumed, :func:`~kartcore.task.fingerprint_inputs.consumed_inputs`).
    """
    finished_at = datetime.datetime.now(datetime.timezone.utc)
    return {
        "format": RUN_RECORD_FORMAT,
        "task_family": task.get_task_family(),
        "unique_id": task.make_unique_id(),
        "params": task.to_str_params(only_significant=True),
        "started_at": facts.started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "processing_time": float(seconds),
        "random_seed": facts.seed,
        "seed_methods": list(facts.seed_methods),
        "output_paths": list(outputs),
        "module_versions": facts.module_versions.splitlines(),
        "fingerprints": {
            "scheme": fingerprint.SCHEME,
            "code": fingerprint.code_fingerprint(type(task)).as_record(),
            "inputs": fingerprint_inputs.consumed_inputs(task, facts.consumed),
        },
    }


def read_run_record(task_or_path: Any) -> dict[str, Any] | None:
    """The JSON run record of a task (or at a path), or None when there is none. Never unpickles.

    A file that is not a JSON object raises :class:`FormatError` naming it: a damaged record is not
    the same as a task that never ran.
    """
    if isinstance(task_or_path, (str, os.PathLike)):
        path = os.fspath(task_or_path)
    else:
        path = record_target(task_or_path, RUN_RECORD, ".json").path()
    try:
        file = storage_for(path).open_read(path)
    except FileNotFoundError:
        return None
    with file:
        data = file.read()
    try:
        record = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError both are
        raise FormatError(f"cannot read the run record {path}: it is not UTF-8 JSON ({exc})") from None
    if not isinstance(record, dict):
        raise FormatError(f"cannot read the run record {path}: a JSON {type(record).__name__}, not an object")
    return record


def read_record(task: Any, kind: str, extension: str = ".pkl") -> Any:
    """Read one record back (e.g. for tree info or ``restore``)."""
    return record_target(task, kind, extension).load()
