"""``gokart.target``: kartcore's targets under gokart's names.

``TargetOnKart`` is kartcore's ``Target`` (exists/load/dump/remove/last_modification_time/path).
``make_target`` builds a :class:`SingleFileTarget` with gokart's processor for the extension
(:func:`gokart.file_processor.make_file_processor`) and gokart's file lock parameters: ``dump``,
``load`` and ``remove`` hold the file's Redis lock when host and port are given. Every kartcore
file target (e.g. ``TaskOnKart.make_target``'s) counts as a ``SingleFileTarget`` and every zip
target as a ``ModelTarget`` for ``isinstance``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from gokart.conflict_prevention_lock.task_lock import TaskLockParams, make_task_lock_params
from gokart.conflict_prevention_lock.task_lock_wrappers import (
    wrap_dump_with_lock,
    wrap_load_with_lock,
    wrap_remove_with_lock,
)
from gokart.file_processor import make_file_processor
from kartcore.io import Target as TargetOnKart
from kartcore.io.formats import FileFormat
from kartcore.io.zip_targets import ArchiveTarget, FrameChunksFormat, model_target
from kartcore.task.naming import with_unique_id  # not re-exported by kartcore.task (2026-11)

__all__ = [
    "LargeDataFrameProcessor",
    "ModelTarget",
    "SingleFileTarget",
    "TargetOnKart",
    "make_model_target",
    "make_target",
]


class _Serves(abc.ABCMeta):
    """``isinstance(x, C)`` is also true for the kartcore targets ``C`` stands for (``C._serves``)."""

    def __instancecheck__(cls, instance: Any) -> bool:
        served = cls.__dict__.get("_serves")
        if served is not None and isinstance(instance, served) and not isinstance(instance, cls._not_served):
            return True
        return super().__instancecheck__(instance)


class SingleFileTarget(TargetOnKart, metaclass=_Serves):
    """One file written by ``processor``, under the Redis lock of ``task_lock_params`` when it has one."""

    _serves = TargetOnKart
    _not_served: tuple[type, ...] = (ArchiveTarget,)

    def __init__(self, target: Any, processor: FileFormat, task_lock_params: TaskLockParams | None = None) -> None:
        path = target if isinstance(target, str) else target.path
        super().__init__(path() if callable(path) else str(path), processor)
        self._task_lock_params = task_lock_params or make_task_lock_params(file_path=self.path(), unique_id=None)

    def dump(self, obj: Any, lock_at_dump: bool = True) -> None:
        """Write ``obj``; with ``lock_at_dump``, under the lock, skipped if another holder wrote the file meanwhile."""
        if lock_at_dump:
            wrap_dump_with_lock(super().dump, self._task_lock_params, self.exists)(obj)
        else:
            super().dump(obj)

    def load(self, *args: Any, **kwargs: Any) -> Any:
        return wrap_load_with_lock(super().load, self._task_lock_params)(*args, **kwargs)

    def remove(self) -> None:
        wrap_remove_with_lock(super().remove, self._task_lock_params)()


class ModelTarget(ArchiveTarget, metaclass=_Serves):
    """The zip target :func:`make_model_target` returns (kartcore's archive target)."""

    _serves = ArchiveTarget
    _not_served: tuple[type, ...] = ()


def make_target(
    file_path: str,
    unique_id: str | None = None,
    processor: FileFormat | None = None,
    task_lock_params: TaskLockParams | None = None,
    store_index_in_feather: bool = True,
) -> SingleFileTarget:
    """A target at ``file_path`` (``<base>_<unique_id><ext>`` when ``unique_id`` is given)."""
    path = with_unique_id(file_path, unique_id) if unique_id else file_path
    processor = processor or make_file_processor(path, store_index_in_feather=store_index_in_feather)
    params = task_lock_params or make_task_lock_params(file_path=path, unique_id=unique_id)
    return SingleFileTarget(path, processor, params)


def make_model_target(
    file_path: str,
    temporary_directory: str,
    save_function: Callable[[Any, str], Any],
    load_function: Callable[[str], Any],
    unique_id: str | None = None,
    task_lock_params: TaskLockParams | None = None,
) -> ModelTarget:
    """A zip target for a model written by ``save_function(obj, path)`` and read by ``load_function(path)``."""
    path = with_unique_id(file_path, unique_id) if unique_id else file_path
    archive = model_target(path, save_function, load_function, temporary_directory)
    return ModelTarget(archive.path(), archive.file_format)


class LargeDataFrameProcessor:
    """A DataFrame saved as a zip of chunks of about ``max_byte`` bytes (kartcore's large-frame format)."""

    def __init__(self, max_byte: int) -> None:
        self.max_byte = int(max_byte)

    def save(self, df: Any, file_path: str) -> None:
        TargetOnKart(file_path, FrameChunksFormat(self.max_byte)).dump(df)

    def load(self, file_path: str) -> Any:
        return TargetOnKart(file_path, FrameChunksFormat(self.max_byte)).load()
