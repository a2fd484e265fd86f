"""The run lock: with Redis configured, a task runs once even when several processes build it at once.

Turned on by ``redis_host`` and ``redis_port`` (both set, e.g. in the ``[TaskOnKart]`` config
section); otherwise every step below is a no-op lock and the run is exactly as without locking.

How it fits the life cycle (:mod:`kartcore.task.lifecycle`, all of it inside the wrapped ``run()``):

1. Before the user's ``run()``, :func:`~kartcore.task.lifecycle.begin_run` calls :func:`enter_run_lock`
   first, before it fixes seeds or stages any record: enter the lock ``kartcore:<workspace>:<Class>_<uid>-run``.
   The workspace in the key keeps tasks of different workspaces on one Redis apart. If another
   process holds it, wait (the holder renews it while it runs; a holder that died loses it after
   ``redis_timeout`` seconds), then check completion again: if the other process finished the
   task, the run is *skipped* (``run()`` returns at once, luigi's completion check finds the other
   process's outputs, nothing is recorded or published) and the lock released at once. Completion
   is checked even without waiting (another process may have finished the task between our
   scheduling and our run), except with ``rerun``, which asks for a new run unless someone else ran
   it while we waited, or with ``task_completion_check_at_run`` off. A lock that cannot be taken raises a clear
   :class:`~kartcore.errors.LockError` before the user's code starts: the task fails and writes nothing.
2. The lock is held until the outputs are published or thrown away: :func:`release_run_lock` is
   called from ``finish_run``/``abandon_run``. Releasing right after the user's ``run()`` would let a
   waiting process see the task incomplete in the gap before publishing, and run it again.
3. A ``run()`` that yields new requirements (dynamic dependencies) is abandoned by luigi when they
   are not complete yet; the lock is released when that happens, and the next call takes it again.

Nothing here hangs on a bad server: the lock gives up within seconds with a LockError naming
``host:port``. Waiting for a live holder has no time limit (it is doing the work we need);
the wait is logged every minute.
"""

from __future__ import annotations

import logging
import os
from contextlib import ExitStack
from typing import Any

from kartcore.errors import RunLockSettingsError
from kartcore.io.locks import Lock, NoLock, lock_for

logger = logging.getLogger(__name__)

RUN_SUFFIX = "-run"


def workspace_namespace(workspace_directory: str) -> str:
    """The workspace part of lock keys: the absolute local path, or the URL of an object store."""
    text = str(workspace_directory)
    if "://" in text:
        return text.rstrip("/")
    return os.path.realpath(os.path.abspath(text))


def check_should_lock_run(task: Any) -> None:
    """gokart's ``should_lock_run=True`` needs a Redis server; kartcore locks whenever both are set anyway."""
    if task.should_lock_run and (task.redis_host is None or task.redis_port is None):
        raise RunLockSettingsError(
            f"{task.get_task_family()}: should_lock_run=True needs redis_host and redis_port (got "
            f"redis_host={task.redis_host!r}, redis_port={task.redis_port!r})"
        )


def run_lock(task: Any) -> Lock:
    """The (not yet entered) run lock of ``task``."""
    return lock_for(
        f"{type(task).__name__}_{task.make_unique_id()}{RUN_SUFFIX}",
        namespace=workspace_namespace(task.workspace_directory),
        host=task.redis_host,
        port=task.redis_port,
        timeout=task.redis_timeout,
    )


def enter_run_lock(task: Any) -> bool:
    """Take the run lock. False when another worker completed the task meanwhile (nothing to run).

    Raises (e.g. :class:`~kartcore.errors.LockError`) when the lock cannot be used; no lock is held then.
    """
    if task.is_endpoint():
        return True
    stack = ExitStack()
    try:
        lock = stack.enter_context(run_lock(task))
        task._kart_run_lock = stack
        recheck = lock.waited or (not task.rerun and task.task_completion_check_at_run)
        if recheck and not isinstance(lock, NoLock) and task.complete():
            logger.info(
                "%s was completed by another worker%s; using its output",
                task.label(),
                " while this one waited" if lock.waited else "",
            )
            release_run_lock(task)
            return False
    except BaseException:
        task._kart_run_lock = None
        stack.close()
        raise
    return True


def release_run_lock(task: Any) -> None:
    """Release the run lock (idempotent; a no-op when none is held)."""
    stack: ExitStack | None = getattr(task, "_kart_run_lock", None)
    task._kart_run_lock = None
    if stack is not None:
        stack.close()
