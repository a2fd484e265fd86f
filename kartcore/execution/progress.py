"""One rewritten stderr line while a DAG runs: tasks done/total, the running task, elapsed time.

Why: a pipeline that runs for minutes with luigi's logging turned down (``build()`` shows errors only)
looks hung. The line appears only on a terminal (never in logs, CI output or notebooks, where stderr is
not a TTY) and not when the ``kartcore`` logger is set above INFO, which is how a user asks for quiet.

luigi reports what happens through events: ``DEPENDENCY_DISCOVERED`` and ``DEPENDENCY_PRESENT`` as the
worker schedules the DAG (the tasks, and which are complete already), then ``START``, ``SUCCESS`` and
``FAILURE``. One set of handlers
is registered once (as in :mod:`kartcore.execution.failures`) and feeds whichever reporter is active.
Tasks run by worker processes (``workers > 1``) report in those processes, which the line ignores: it
then shows what the scheduling process knows (the number of tasks and the elapsed time).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

import luigi

LOGGER_NAME = "kartcore"
REDRAW_SECONDS = 0.5
CLEAR_LINE = "\r\x1b[K"

_active: list[ProgressLine] = []


class ProgressLine:
    """The state of one build and the line that shows it."""

    def __init__(self, stream: TextIO, workers: int = 1, follow_level: bool = False) -> None:
        self.stream = stream
        self.workers = workers
        self.follow_level = follow_level
        self.pid = os.getpid()
        self.started = time.monotonic()
        self.states: dict[str, str] = {}  # task id -> "cached", "pending", "running", "done" or "failed"
        self.running: dict[str, tuple[str, float]] = {}  # task id -> (name, start time), in start order
        self._lock = threading.Lock()
        self._drawn = False
        self._last_draw = 0.0

    def event(self, task: luigi.Task, state: str) -> None:
        """Record a task's new state and redraw (at most every few hundred milliseconds, unless it ended)."""
        if os.getpid() != self.pid:  # a worker process: its copy of this object is not what the user sees
            return
        with self._lock:
            if state == "pending" and task.task_id in self.states:  # only news when the task is new
                return
            self.states[task.task_id] = state
            if state == "running":
                self.running[task.task_id] = (_name(task), time.monotonic())
            else:
                self.running.pop(task.task_id, None)
        self.draw(force=state in ("running", "done", "failed"))

    def text(self) -> str:
        """``kart: 2/4 tasks done | running pkg.Task (1.2s) | elapsed 3.4s``, cut to the terminal width."""
        states = list(self.states.values())
        done = sum(state in ("cached", "done") for state in states)
        parts = [f"kart: {done}/{len(states)} tasks done"]
        failed = states.count("failed")
        if failed:
            parts[0] += f", {failed} failed"
        now = time.monotonic()
        if self.running:
            name, since = next(reversed(self.running.values()))
            more = f" (+{len(self.running) - 1} more)" if len(self.running) > 1 else ""
            parts.append(f"running {name} ({now - since:.1f}s){more}")
        elif self.workers > 1:
            parts.append(f"{self.workers} worker processes")
        parts.append(f"elapsed {_clock(now - self.started)}")
        width = shutil.get_terminal_size((100, 24)).columns - 1
        line = " | ".join(parts)
        return line if len(line) <= width else line[: max(width - 1, 0)] + "…"

    def draw(self, force: bool = False) -> None:
        """Rewrite the line; the cursor goes back to its start so that other output overwrites it."""
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_SECONDS / 2:
            return
        if self.follow_level and not level_allows_progress():
            self.clear()
            return
        with self._lock:
            if not self.states:
                return
            self._write(CLEAR_LINE + self.text() + "\r")
            self._drawn, self._last_draw = True, now

    def clear(self) -> None:
        """Take the line away (before other output, and at the end)."""
        with self._lock:
            if self._drawn:
                self._write(CLEAR_LINE)
                self._drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: the progress line is never worth a failure
            pass


class LineAwareStream:
    """Stands in for stdout/stderr while the line is shown: clears it before others write, redraws after.

    Without it a log record or a ``print`` would start at the end of the progress text. Writes from
    worker processes (forked with this stream) and writes after the build pass straight through.
    """

    def __init__(self, real: TextIO, line: ProgressLine) -> None:
        self.real = real
        self.line: ProgressLine | None = line

    def write(self, text: str) -> int:
        line = self.line
        if line is None or os.getpid() != line.pid or not text:
            return self.real.write(text)
        line.clear()
        written = self.real.write(text)
        if text.endswith("\n"):
            self.real.flush()
            line.draw(force=True)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def level_allows_progress() -> bool:
    """False when the kartcore logger is set above INFO: the user asked for quiet."""
    level = logging.getLogger(LOGGER_NAME).level
    return level == logging.NOTSET or level <= logging.INFO


def wanted(stream: Any) -> bool:
    """Whether to show progress on ``stream``: a terminal, and the kartcore logger not set above INFO."""
    return is_terminal(stream) and level_allows_progress()


@contextlib.contextmanager
def reporting(
    stream: TextIO | None = None, workers: int = 1, follow_level: bool = False
) -> Iterator[ProgressLine | None]:
    """Show progress on ``stream`` (default: stderr) for the duration of the block, if :func:`wanted`.

    Enter it before anything changes the log levels (``build()`` turns them down for its own run).
    ``follow_level`` re-checks the kartcore logger at each redraw, for ``run()``, where luigi applies
    the project's logging config only once the build started.
    """
    target = stream if stream is not None else sys.stderr
    if not wanted(target):
        yield None
        return
    line = ProgressLine(target, workers, follow_level)
    _active.append(line)
    stop = threading.Event()
    ticker = threading.Thread(target=_tick, args=(line, stop), name="kart-progress", daemon=True)
    with _line_aware_output(line):
        ticker.start()
        try:
            yield line
        finally:
            stop.set()
            ticker.join()
            _active.remove(line)
            line.clear()


@contextlib.contextmanager
def _line_aware_output(line: ProgressLine) -> Iterator[None]:
    """Route sys.stdout, sys.stderr and the log handlers writing to the line's stream through LineAwareStream."""
    wrapped: list[LineAwareStream] = []
    saved = {"stdout": sys.stdout, "stderr": sys.stderr}
    for name, current in saved.items():
        if current is line.stream or (name == "stdout" and is_terminal(current)):
            wrapper = LineAwareStream(current, line)
            wrapped.append(wrapper)
            setattr(sys, name, wrapper)
    handlers = [h for h in _stream_handlers() if h.stream is line.stream]
    by_real = {id(w.real): w for w in wrapped}
    for handler in handlers:
        handler.stream = by_real.get(id(line.stream)) or LineAwareStream(line.stream, line)
    try:
        yield
    finally:
        for handler in handlers:
            if isinstance(handler.stream, LineAwareStream):
                handler.stream = handler.stream.real
        for name, current in saved.items():
            if isinstance(getattr(sys, name), LineAwareStream):
                setattr(sys, name, current)
        for wrapper in wrapped:
            wrapper.line = None  # handlers created meanwhile may hold it: from now on it passes through


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values())]
    return [
        handler
        for logger in loggers
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
    ]


def _tick(line: ProgressLine, stop: threading.Event) -> None:
    """Keep the elapsed times moving while a long task runs."""
    while not stop.wait(REDRAW_SECONDS):
        line.draw(force=True)


def _current() -> ProgressLine | None:
    return _active[-1] if _active else None


def _name(task: luigi.Task) -> str:
    return task.get_task_family()


def _clock(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def _handler(state: str) -> Any:
    def handle(task: luigi.Task, *_: Any) -> None:
        line = _current()
        if line is not None:
            line.event(task, state)

    handle.__name__ = f"_on_{state}"
    return handle


def _on_discovered(task: luigi.Task, dependency: luigi.Task) -> None:
    """luigi names a task to run only through the edges to its dependencies (no event of its own)."""
    line = _current()
    if line is not None:
        line.event(task, "pending")
        line.event(dependency, "pending")


luigi.Task.event_handler(luigi.Event.DEPENDENCY_DISCOVERED)(_on_discovered)
for _event, _state in (
    (luigi.Event.DEPENDENCY_PRESENT, "cached"),
    (luigi.Event.DEPENDENCY_MISSING, "pending"),
    (luigi.Event.START, "running"),
    (luigi.Event.SUCCESS, "done"),
    (luigi.Event.FAILURE, "failed"),
):
    luigi.Task.event_handler(_event)(_handler(_state))
