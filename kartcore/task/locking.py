"""The run lock: with Redis configured, a task runs once even when several processes build it at once.

Turned on by ``redis_host`` and ``redis_port`` (both set, e.g. in the ``[TaskOnKart]`` config
section); otherwise every step below is a no-op lock and the run is exactly as without locking.

How it fits luigi's ``TaskProcess.run`` (START event, ``task.run()``, completion check,
``on_success()``/``on_failure()``), in the process that runs the task:

1. START (:func:`kartcore.task.lifecycle.begin_run` calls :func:`enter_run_lock` first, before it
   fixes seeds or writes any record): enter the lock ``kartcore:<workspace>:<Class>_<uid>-run``.
   The workspace in the key keeps tasks of different workspaces on one Redis apart. If another
   process holds it, wait (the holder renews it while it runs; a holder that died loses it after
   ``redis_timeout`` seconds), then check completion again: if the other process finished the
   task, mark the run *skipped* and release the lock at once. Completion is checked even without
   waiting (another process may have finished the task between our scheduling and our START),
   except with ``rerun``, which asks for a new run unless someone else ran it while we waited.
2. ``run()``: the ``run`` of every TaskOnKart subclass (its own or one from a mixin) is wrapped
   once, at class creation (:func:`guard_run`, from ``TaskOnKart.__init_subclass__``; no
   instance is patched, and an inherited run that is already wrapped is left alone). The wrapper
   returns at once for a skipped run (luigi's completion check then finds the other process's
   outputs, ``on_success`` has nothing staged to publish and no record is written), and raises
   the lock error for a run whose lock could not be taken. luigi swallows exceptions raised in
   event handlers, so the START step stores its error for ``run()`` to raise: the task fails with
   a clear :class:`~kartcore.errors.LockError` and writes nothing.
3. The lock is held until the outputs are published (``on_success``) or thrown away
   (``on_failure``): :func:`release_run_lock` is called from ``publish_outputs``/``abandon_run``.
   Releasing right after ``run()`` would let a waiting process see the task incomplete in the gap
   before publishing, and run it again.
4. A ``run()`` that yields new requirements (dynamic dependencies) is abandoned by luigi when they
   are not complete yet; the wrapper's generator releases the lock when that happens, and the
   next START takes it again.

Nothing here hangs on a bad server: the lock gives up within seconds with a LockError naming
``host:port``. Waiting for a live holder has no time limit (it is doing the work we need);
the wait is logged every minute.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Generator
from contextlib import ExitStack
from typing import Any

import luigi

from kartcore.io.locks import Lock, NoLock, lock_for

logger = logging.getLogger(__name__)

RUN_SUFFIX = "-run"


def workspace_namespace(workspace_directory: str) -> str:
    """The workspace part of lock keys: the absolute local path, or the URL of an object store."""
    text = str(workspace_directory)
    if "://" in text:
        return text.rstrip("/")
    return os.path.realpath(os.path.abspath(text))


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
    """At START: take the run lock. Returns False when ``run()`` must not do the work (skipped or failed)."""
    task._kart_run_skipped = False
    task._kart_run_error = None
    if task.is_endpoint():
        return True
    stack = ExitStack()
    try:
        lock = stack.enter_context(run_lock(task))
        task._kart_run_lock = stack
        if (lock.waited or not task.rerun) and not isinstance(lock, NoLock) and task.complete():
            logger.info(
                "%s was completed by another worker%s; using its output",
                task.label(),
                " while this one waited" if lock.waited else "",
            )
            task._kart_run_skipped = True
            release_run_lock(task)
            return False
    except Exception as exc:  # luigi swallows errors raised in event handlers: keep it for run() to raise.
        stack.close()
        task._kart_run_lock = None
        task._kart_run_error = exc
        return False
    return True


def release_run_lock(task: Any) -> None:
    """Release the run lock (idempotent; a no-op when none is held)."""
    stack: ExitStack | None = getattr(task, "_kart_run_lock", None)
    task._kart_run_lock = None
    if stack is not None:
        stack.close()


def run_skipped(task: Any) -> bool:
    """True when START found the task completed by another worker: nothing to run, record or publish."""
    return bool(getattr(task, "_kart_run_skipped", False))


def guard_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a class's ``run`` so a skipped run does nothing and a failed lock fails the task."""
    if getattr(run, "_kart_guarded", False) or run is luigi.Task.run:
        return run

    @functools.wraps(run)
    def guarded_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        error = getattr(self, "_kart_run_error", None)
        if error is not None:
            self._kart_run_error = None
            raise error
        if run_skipped(self):
            return None
        result = run(self, *args, **kwargs)
        if isinstance(result, Generator) and getattr(self, "_kart_run_lock", None) is not None:
            return _release_if_abandoned(self, result)
        return result

    guarded_run._kart_guarded = True  # type: ignore[attr-defined]
    return guarded_run


def _release_if_abandoned(task: Any, steps: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    finished = False
    try:
        result = yield from steps
        finished = True
        return result
    finally:
        if not finished:  # luigi dropped the run for new requirements (or it raised): let others take it
            release_run_lock(task)
