"""``gokart.conflict_prevention_lock.task_lock_wrappers``: a function run while its Redis lock is held.

Each wrapper returns ``func`` itself when the parameters say no lock; otherwise the wrapped call holds
``task_lock_params.redis_key`` with kartcore's Redis lock (renewed while held, released on any exit).
With ``raise_task_lock_exception_on_collision`` a lock held elsewhere raises at once
(:data:`~gokart.conflict_prevention_lock.task_lock.TaskLockException`) instead of waiting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from gokart.conflict_prevention_lock.task_lock import TaskLockParams
from kartcore.io.locks.redis_lock import RedisLock

__all__ = ["wrap_dump_with_lock", "wrap_load_with_lock", "wrap_remove_with_lock", "wrap_run_with_lock"]

R = TypeVar("R")

#: gokart's lock lives this long when no timeout is given.
DEFAULT_TIMEOUT = 180


def _held(params: TaskLockParams) -> RedisLock:
    return RedisLock(
        params.redis_key,
        host=str(params.redis_host),
        port=int(params.redis_port or 0),
        timeout=params.redis_timeout or DEFAULT_TIMEOUT,
        wait_timeout=0 if params.raise_task_lock_exception_on_collision else None,
    )


def _locked(
    func: Callable[..., R], params: TaskLockParams, skip: Callable[[], bool] | None = None
) -> Callable[..., Any]:
    if not params.should_task_lock:
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _held(params):
            if skip is not None and skip():
                return None
            return func(*args, **kwargs)

    return wrapper


def wrap_dump_with_lock(
    func: Callable[..., R], task_lock_params: TaskLockParams, exist_check: Callable[[], bool]
) -> Callable[..., R | None]:
    """``func`` under the lock, skipped when ``exist_check()`` says another holder already wrote the file."""
    return _locked(func, task_lock_params, exist_check)


def wrap_load_with_lock(func: Callable[..., R], task_lock_params: TaskLockParams) -> Callable[..., R]:
    return _locked(func, task_lock_params)


def wrap_remove_with_lock(func: Callable[..., R], task_lock_params: TaskLockParams) -> Callable[..., R]:
    return _locked(func, task_lock_params)


def wrap_run_with_lock(run_func: Callable[[], R], task_lock_params: TaskLockParams) -> Callable[[], R]:
    return _locked(run_func, task_lock_params)
