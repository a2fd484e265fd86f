"""Ctrl-C and SIGTERM during a build: stop every task, discard what they staged, leave no process behind.

Why: by default SIGTERM kills the main process at once, and the task processes luigi forked for
``--workers N`` run on and publish their outputs after the command has exited. Ctrl-C inside
``run()`` raises ``KeyboardInterrupt``, which luigi passes through without the task's
``on_failure()``, so the staged temp file stays and the user gets a traceback.

How: for the block, SIGINT and SIGTERM (when they still have Python's default behaviour, so a
program's own handlers are left alone) raise an exception instead:

* in the main process :class:`Interrupted`, a ``KeyboardInterrupt``: luigi lets it through its
  worker, whose exit terminates the task processes; the block then waits for them (killing those that
  do not stop within :data:`GRACE_SECONDS`) and calls ``on_failure()`` of the task that was running in
  this process, which discards its staged outputs;
* in a task process (forked by luigi, so it inherits the handler) :class:`TaskStopped`: luigi's
  failure path runs the task's ``on_failure()`` there before the process ends, and logs the stop as
  one line instead of a traceback.

Later signals are ignored while this cleanup runs, so a second Ctrl-C cannot cut it short.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import luigi
import luigi.worker

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: How long stopped task processes get to discard their staged outputs before they are killed.
GRACE_SECONDS = 10.0


class Interrupted(KeyboardInterrupt):
    """The main process got SIGINT or SIGTERM; raised where it was, after every task was stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's code for death by this signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


class TaskStopped(BaseException):
    """Raised inside a task process's ``run()``: luigi fails the task, and its ``on_failure()`` cleans up.

    A ``BaseException``, so that a task's ``except Exception`` cannot swallow it and go on to publish.
    """


@dataclass
class _Block:
    pid: int
    other_children: set[int | None] = field(default_factory=set)  # processes that are not this block's
    running: list[luigi.Task] = field(default_factory=list)


_blocks: list[_Block] = []


@contextlib.contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into a clean stop for the block (only from the main thread; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    block = _Block(os.getpid(), {child.pid for child in multiprocessing.active_children()})
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    handled = [signum for signum in SIGNALS if previous[signum] is defaults[signum]]

    def stop(signum: int, frame: Any) -> None:
        for other in handled:
            signal.signal(other, signal.SIG_IGN)  # nothing may cut the cleanup short
        if os.getpid() != block.pid:
            raise TaskStopped(f"stopped by {signal.Signals(signum).name}")
        raise Interrupted(signum)

    for signum in handled:
        signal.signal(signum, stop)
    _blocks.append(block)
    luigi_log = logging.getLogger("luigi-interface")
    luigi_log.addFilter(_one_line_for_stopped_tasks)
    try:
        yield
    except Interrupted as exc:
        _stop_tasks(block, exc)
        raise
    finally:
        luigi_log.removeFilter(_one_line_for_stopped_tasks)
        _blocks.remove(block)
        for signum in handled:
            signal.signal(signum, previous[signum])


def _stop_tasks(block: _Block, exc: Interrupted) -> None:
    """Wait for (or kill) the task processes, then fail the tasks that were running in this process."""
    children = [
        child
        for child in multiprocessing.active_children()
        if isinstance(child, luigi.worker.TaskProcess) and child.pid not in block.other_children
    ]
    for child in children:
        # luigi's worker did so already; its terminate() would wait without a limit, this one does not
        multiprocessing.Process.terminate(child)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()
    for task in reversed(block.running):
        with contextlib.suppress(Exception):  # each task gets its cleanup even if another's fails
            task.on_failure(exc)
    block.running.clear()


def _one_line_for_stopped_tasks(record: logging.LogRecord) -> bool:
    """luigi logs a failed task with its traceback; a stopped one needs only the signal that stopped it."""
    stopped = record.exc_info[1] if record.exc_info else None
    if isinstance(stopped, TaskStopped):
        record.msg, record.args = f"{record.getMessage()}: {stopped}", ()
        record.exc_info = record.exc_text = None
    return True


def _on_start(task: luigi.Task) -> None:
    if _blocks and _blocks[-1].pid == os.getpid():
        _blocks[-1].running.append(task)


def _on_end(task: luigi.Task, *args: Any) -> None:
    if _blocks and _blocks[-1].pid == os.getpid():
        with contextlib.suppress(ValueError):
            _blocks[-1].running.remove(task)


luigi.Task.event_handler(luigi.Event.START)(_on_start)
luigi.Task.event_handler(luigi.Event.SUCCESS)(_on_end)
luigi.Task.event_handler(luigi.Event.FAILURE)(_on_end)
