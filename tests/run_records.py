"""JSON run records written by hand, per their contract, for the readers' tests (history, show, restore).

The contract: ``<workspace>/log/run_record/<Class>_<unique id>.json`` holding ``format`` (1),
``task_family``, ``unique_id``, ``params`` (str -> str), ``started_at``/``finished_at`` (ISO 8601,
UTC), ``processing_time``, ``random_seed``, ``seed_methods``, ``output_paths``, ``module_versions``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kartcore.task.naming import log_path


def run_record_path(task: Any) -> Path:
    """Where ``task``'s JSON run record lives."""
    return Path(log_path(task.workspace_directory, "run_record", type(task).__name__, task.make_unique_id(), ".json"))


def write_run_record(task: Any, **overrides: Any) -> Path:
    """Write ``task``'s JSON run record (a finished run of 1.5 s whose outputs are the task's), then ``overrides``."""
    record = {
        "format": 1,
        "task_family": task.get_task_family(),
        "unique_id": task.make_unique_id(),
        "params": task.to_str_params(only_significant=True),
        "started_at": "2026-01-02T03:04:05.000001+00:00",
        "finished_at": "2026-01-02T03:04:06.500001+00:00",
        "processing_time": 1.5,
        "random_seed": 42,
        "seed_methods": ["random.seed"],
        "output_paths": [target.path() for target in _flat(task.output())],
        "module_versions": ["luigi==3.6.0"],
        **overrides,
    }
    path = run_record_path(task)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def _flat(outputs: Any) -> list[Any]:
    from luigi.task import flatten

    return flatten(outputs)
