"""Targets whose value stays in this process's memory: cheap intermediates that need not touch disk.

Why: a task that takes milliseconds to compute may take longer to pickle and write than to redo, and
some values (open clients, large intermediate structures) are not worth a file at all. An
:class:`InMemoryTarget` holds its value in a process-wide table (:class:`InMemoryRepository`) under a
key; it exists once something was dumped to it *in this process*, and nowhere else: a second process
(another ``python main.py``, a ``--workers`` task process, a Dask worker) does not see it and runs the
task again. The task layer refuses to run a task with an in-memory output in a separate task process
(:mod:`kartcore.task.memory_outputs`), where the value would die with the process.

It is a :class:`~kartcore.io.target.Target`, so ``dump``/``load``, staging (a value dumped in ``run()``
is published only after ``run()`` succeeded) and completion work as for files. Values are stored as
given, not copied: loading returns the very object that was dumped.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kartcore.errors import InMemoryKeyError, InMemoryTargetError
from kartcore.io.formats.base import Preview
from kartcore.io.target import Target

#: What makes a staged value's token unique within the process.
_STAGE_COUNTER = itertools.count()
#: The process-wide table: published values by key, staged ones by token (key, value).
_VALUES: dict[str, _Stored] = {}
_STAGED: dict[str, tuple[str, Any]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Stored:
    value: Any
    last_modification_time: datetime.datetime


class InMemoryRepository:
    """The process-wide table of in-memory values: every instance reads and writes the same one.

    Values staged by a running task (not yet published) are kept apart, under tokens no key can take.
    """

    def get_value(self, key: str) -> Any:
        """The value stored under ``key``; :class:`InMemoryKeyError` naming the key when there is none."""
        return self._get(key).value

    def get_last_modification_time(self, key: str) -> datetime.datetime:
        """When the value under ``key`` was stored."""
        return self._get(key).last_modification_time

    def set_value(self, key: str, obj: Any) -> None:
        """Store ``obj`` under ``key`` (replacing what was there), stamped with the current time."""
        with _LOCK:
            _VALUES[key] = _Stored(obj, _now())

    def has(self, key: str) -> bool:
        """Whether a value is stored under ``key`` in this process."""
        return key in _VALUES

    def remove(self, key: str) -> None:
        """Forget the value under ``key``; :class:`InMemoryKeyError` when there is none."""
        with _LOCK:
            if _VALUES.pop(key, None) is None:
                raise InMemoryKeyError(missing_message(key, "cannot remove"))

    def empty(self) -> bool:
        """True when no value is stored."""
        return not _VALUES

    def clear(self) -> None:
        """Forget every stored value (and anything staged)."""
        with _LOCK:
            _VALUES.clear()
            _STAGED.clear()

    def get_gen(self) -> Iterator[tuple[str, Any]]:
        """``(key, value)`` of every stored value."""
        for key, stored in list(_VALUES.items()):
            yield key, stored.value

    @property
    def size(self) -> int:
        """How many values are stored."""
        return len(_VALUES)

    def stage(self, key: str, obj: Any) -> str:
        """Keep ``obj`` for ``key`` without publishing it; returns the token :meth:`commit` takes."""
        token = f"{key}\0staged-{next(_STAGE_COUNTER)}"
        with _LOCK:
            _STAGED[token] = (key, obj)
        return token

    def commit(self, token: str) -> None:
        """Publish what :meth:`stage` kept under ``token``."""
        with _LOCK:
            key, obj = _STAGED.pop(token)
            _VALUES[key] = _Stored(obj, _now())

    def discard(self, token: str) -> None:
        """Throw away what :meth:`stage` kept under ``token`` (a failed run); unknown tokens are ignored."""
        with _LOCK:
            _STAGED.pop(token, None)

    def _get(self, key: str) -> _Stored:
        try:
            return _VALUES[key]
        except KeyError:
            raise InMemoryKeyError(missing_message(key, "cannot load")) from None


class InMemoryTarget(Target):
    """An output kept in this process's memory under ``key`` (see the module docstring).

    ``task_lock_params`` (gokart's) may not ask for a Redis run lock: a lock shared between processes
    cannot guard a value that only one process can see.
    """

    #: Read by the task layer: no file, no run records, and only in the process that schedules the DAG.
    in_memory = True

    def __init__(self, key: str, task_lock_params: Any = None, owner: str = "") -> None:
        if not isinstance(key, str) or not key:
            raise InMemoryTargetError(f"an in-memory target needs a non-empty string key, got {key!r}")
        if task_lock_params is not None and getattr(task_lock_params, "should_task_lock", False):
            raise InMemoryTargetError(
                f"in-memory target {key!r}: a Redis run lock cannot guard a value kept in one process's "
                "memory; leave redis_host/redis_port unset for this task, or give it a file output"
            )
        self._path = key
        self.owner = owner
        self.trust = None
        self._repository = InMemoryRepository()

    @property
    def key(self) -> str:
        """The key the value is stored under."""
        return self._path

    def exists(self) -> bool:
        return self._repository.has(self._path)

    def load(self, trust: Any = None) -> Any:
        """The stored value itself (not a copy); :class:`InMemoryKeyError` naming the key if none was dumped."""
        try:
            return self._repository.get_value(self._path)
        except InMemoryKeyError as exc:
            raise InMemoryKeyError(f"{self._describe()}{exc}") from None

    def preview(self, rows: int, budget: int, trust: Any = None) -> Preview | None:
        return Preview(self.load())

    def stage(self, obj: Any) -> str:
        return self._repository.stage(self._path, obj)

    def commit(self, staged_path: str) -> None:
        self._repository.commit(staged_path)

    def discard(self, staged_path: str) -> None:  # type: ignore[override]  # Target's is static: files need no owner
        self._repository.discard(staged_path)

    def remove(self) -> None:
        """Forget the value; nothing to do when there is none (as for a file target)."""
        if self._repository.has(self._path):
            self._repository.remove(self._path)

    def last_modification_time(self) -> datetime.datetime:
        try:
            return self._repository.get_last_modification_time(self._path)
        except InMemoryKeyError as exc:
            raise InMemoryKeyError(f"{self._describe()}{exc}") from None

    def __repr__(self) -> str:
        return f"InMemoryTarget({self._path!r})"


def make_in_memory_target(target_key: str, task_lock_params: Any = None) -> InMemoryTarget:
    """An :class:`InMemoryTarget` for ``target_key`` (gokart's factory; see the class for the lock parameters)."""
    return InMemoryTarget(target_key, task_lock_params)


def missing_message(key: str, action: str) -> str:
    """Why there is nothing under ``key``, and what to do about it."""
    return (
        f"{action} in-memory target {key!r}: nothing was dumped to it in this process. In-memory values live "
        "only in the process that dumped them: run the task that writes it first, in the same process "
        "(kartcore.build(), or kartcore.run() without --workers), or give that task a file output"
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now()
