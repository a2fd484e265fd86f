"""``gokart.conflict_prevention_lock.task_lock``: gokart's lock parameters, keys and Redis clients.

The parameters (:class:`TaskLockParams`) say which Redis key guards a file or a run and how; the
wrappers in :mod:`gokart.conflict_prevention_lock.task_lock_wrappers` hold that key with kartcore's
Redis lock (redis-py's lock, renewed while held), under gokart's own key, so a gokart process and a
kartcore one exclude each other.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, NamedTuple

import redis

from kartcore.errors import LockError

__all__ = [
    "RedisClient",
    "TaskLockException",
    "TaskLockParams",
    "make_task_lock_key",
    "make_task_lock_params",
    "make_task_lock_params_for_run",
]

#: Raised when a lock asked for without waiting (``raise_task_lock_exception_on_collision``) is taken.
TaskLockException = LockError


class TaskLockParams(NamedTuple):
    redis_host: str | None
    redis_port: int | None
    redis_timeout: int | None
    redis_key: str
    should_task_lock: bool
    raise_task_lock_exception_on_collision: bool
    lock_extend_seconds: int


class RedisClient:
    """One ``redis.Redis`` per (host, port) in this process (localhost:6379 when unset)."""

    _instances: ClassVar[dict[tuple[str, int], RedisClient]] = {}

    def __new__(cls, host: str | None, port: int | None) -> RedisClient:
        key = (host or "localhost", port or 6379)
        instance = cls._instances.get(key)
        if instance is None:
            instance = cls._instances[key] = super().__new__(cls)
            instance._redis_client = redis.Redis(host=key[0], port=key[1])
        return instance

    def get_redis_client(self) -> Any:
        return self._redis_client


def make_task_lock_key(file_path: str, unique_id: str | None) -> str:
    """``<file name without extension>_<unique id>``, gokart's key for a file."""
    return f"{os.path.splitext(os.path.basename(file_path))[0]}_{unique_id}"


def make_task_lock_params(
    file_path: str,
    unique_id: str | None,
    redis_host: str | None = None,
    redis_port: int | None = None,
    redis_timeout: int | None = None,
    raise_task_lock_exception_on_collision: bool = False,
    lock_extend_seconds: int = 10,
) -> TaskLockParams:
    """The lock for a file; locking is on when both host and port are given."""
    if redis_timeout is not None and redis_timeout <= lock_extend_seconds:
        raise AssertionError(
            f"redis_timeout must be greater than lock_extend_seconds ({lock_extend_seconds}), not {redis_timeout}: "
            "the lock would expire before it is renewed"
        )
    return TaskLockParams(
        redis_host=redis_host,
        redis_port=redis_port,
        redis_timeout=redis_timeout,
        redis_key=make_task_lock_key(file_path, unique_id),
        should_task_lock=redis_host is not None and redis_port is not None,
        raise_task_lock_exception_on_collision=raise_task_lock_exception_on_collision,
        lock_extend_seconds=lock_extend_seconds,
    )


def make_task_lock_params_for_run(task_self: Any, lock_extend_seconds: int = 10) -> TaskLockParams:
    """The lock for a task's run: ``<Class>_<unique id>-run``, taken without waiting."""
    path = os.path.join(type(task_self).__module__.replace(".", "/"), type(task_self).__name__)
    return TaskLockParams(
        redis_host=task_self.redis_host,
        redis_port=task_self.redis_port,
        redis_timeout=task_self.redis_timeout,
        redis_key=make_task_lock_key(path, task_self.make_unique_id() + "-run"),
        should_task_lock=task_self.redis_host is not None and task_self.redis_port is not None,
        raise_task_lock_exception_on_collision=True,
        lock_extend_seconds=lock_extend_seconds,
    )
