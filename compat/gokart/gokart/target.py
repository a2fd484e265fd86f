"""``gokart.target``: kartcore's targets under gokart's names.

``TargetOnKart`` is kartcore's ``Target`` (exists/load/dump/remove/last_modification_time/path);
``make_target``/``make_model_target`` take gokart's arguments and build kartcore targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import luigi

from gokart._dropin import module_getattr, not_provided
from kartcore.io import Target as TargetOnKart
from kartcore.io.formats import FileFormat
from kartcore.io.zip_targets import ArchiveTarget, model_target
from kartcore.task.naming import with_unique_id  # not re-exported by kartcore.task (2026-11)

__all__ = ["ModelTarget", "SingleFileTarget", "TargetOnKart", "make_model_target", "make_target"]

_LOCKS = "kartcore takes the Redis lock settings from the task (redis_host, redis_port, redis_timeout)"


def _refuse_locks(task_lock_params: Any, where: str) -> None:
    if task_lock_params is not None and getattr(task_lock_params, "should_task_lock", False):
        not_provided(f"{where}(task_lock_params=...)", _LOCKS)


class SingleFileTarget(TargetOnKart):
    """A file target from a luigi target (its ``path``) and a file processor, as gokart builds it."""

    def __init__(self, target: luigi.target.FileSystemTarget, processor: FileFormat, task_lock_params: Any = None):
        _refuse_locks(task_lock_params, "gokart.target.SingleFileTarget")
        super().__init__(target.path, processor)


class ModelTarget(ArchiveTarget):
    """The zip target :func:`make_model_target` returns (kartcore's archive target)."""


def make_target(
    file_path: str,
    unique_id: str | None = None,
    processor: FileFormat | None = None,
    task_lock_params: Any = None,
    store_index_in_feather: bool = True,
) -> TargetOnKart:
    """A target at ``file_path`` (``<base>_<unique_id><ext>`` when ``unique_id`` is given)."""
    _refuse_locks(task_lock_params, "gokart.target.make_target")
    path = with_unique_id(file_path, unique_id) if unique_id else file_path
    return TargetOnKart(path, processor)


def make_model_target(
    file_path: str,
    temporary_directory: str,
    save_function: Callable[[Any, str], Any],
    load_function: Callable[[str], Any],
    unique_id: str | None = None,
    task_lock_params: Any = None,
) -> ModelTarget:
    """A zip target for a model written by ``save_function(obj, path)`` and read by ``load_function(path)``."""
    _refuse_locks(task_lock_params, "gokart.target.make_model_target")
    path = with_unique_id(file_path, unique_id) if unique_id else file_path
    archive = model_target(path, save_function, load_function, temporary_directory)
    return ModelTarget(archive.path(), archive.file_format)


__getattr__ = module_getattr(
    "gokart.target",
    {
        "LargeDataFrameProcessor": "TaskOnKart.make_large_data_frame_target writes the same chunked zip",
        "_make_file_system_target": "gokart.target.SingleFileTarget takes any object with a .path",
    },
)
