"""Conflict-prevention locks: one context manager, a no-op unless a Redis server is configured.

``with lock_for(name, namespace=..., host=..., port=..., timeout=...):`` holds a lock named
``kartcore:<namespace>:<name>`` on the Redis server at ``host:port`` for the body of the block.
Without a host and a port it is :class:`NoLock`, which costs nothing, so callers never branch on
"is locking on". The namespace keeps equal names in different workspaces apart (gokart's keys are
the file name only, so two workspaces on one Redis block each other).

The Redis implementation lives in :mod:`kartcore.io.locks.redis_lock`, the only module that
imports redis, and is imported on first use: ``import kartcore`` stays free of redis.

This package knows nothing about tasks; :mod:`kartcore.task.locking` decides which lock a task
run takes and when.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, runtime_checkable

from kartcore.errors import ConfigError

KEY_PREFIX = "kartcore"


@runtime_checkable
class Lock(Protocol):
    """A held-for-a-block lock. ``waited`` is True when another holder made ``__enter__`` wait."""

    key: str
    waited: bool

    def __enter__(self) -> Lock: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class NoLock:
    """The lock used when none is configured: entering and leaving do nothing."""

    waited = False

    def __init__(self, key: str = "") -> None:
        self.key = key

    def __enter__(self) -> NoLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def __repr__(self) -> str:
        return f"NoLock({self.key!r})"


def lock_key(name: str, namespace: str) -> str:
    """``kartcore:<namespace>:<name>``: the Redis key of a lock."""
    return f"{KEY_PREFIX}:{namespace}:{name}"


def lock_for(
    name: str,
    *,
    namespace: str,
    host: str | None,
    port: int | None,
    timeout: float = 180,
    wait_timeout: float | None = None,
) -> Lock:
    """The lock for ``name`` in ``namespace``: a Redis lock when host and port are set, else a no-op.

    ``timeout`` is the lock's time to live in seconds; a background thread renews it while the
    block runs, so it only expires when the holder dies. ``wait_timeout`` bounds how long entering
    waits for another holder (None: as long as that holder keeps the lock alive).
    """
    key = lock_key(name, namespace)
    if host in (None, "") and port is None:
        return NoLock(key)
    if host in (None, "") or port is None:
        missing, given = ("redis_port", f"redis_host={host}") if port is None else ("redis_host", f"redis_port={port}")
        raise ConfigError(
            f"lock {key}: {given} is set but {missing} is not; set both (e.g. in the [TaskOnKart] config section) "
            "to turn on Redis locks, or neither"
        )
    if not timeout or timeout <= 0:
        raise ConfigError(f"lock {key}: redis_timeout must be a positive number of seconds, not {timeout!r}")
    if wait_timeout is not None and wait_timeout < 0:
        raise ConfigError(f"lock {key}: wait_timeout must be >= 0 seconds, not {wait_timeout!r}")
    from kartcore.io.locks.redis_lock import RedisLock

    return RedisLock(key, host=str(host), port=int(port), timeout=timeout, wait_timeout=wait_timeout)


__all__ = ["KEY_PREFIX", "Lock", "NoLock", "lock_for", "lock_key"]
