"""The progress line of build()/run(): shown on a terminal only, quiet on request, no handler leaks."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections.abc import Iterator

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError
from kartcore.execution import progress
from kartcore.execution.progress import CLEAR_LINE, ProgressLine, reporting


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal and keeps what was written."""

    def isatty(self) -> bool:
        return True


class First(kartcore.TaskOnKart):
    def run(self) -> None:
        time.sleep(0.05)
        self.dump(1)


class Second(kartcore.TaskOnKart):
    def requires(self):
        return First()

    def run(self) -> None:
        logging.getLogger("kartcore.test").error("a log line in the middle")
        print("a print in the middle")
        self.dump(self.load() + 1)


class Fails(kartcore.TaskOnKart):
    def requires(self):
        return First()

    def run(self) -> None:
        raise RuntimeError("on purpose")


@contextlib.contextmanager
def as_stderr(stream: io.StringIO) -> Iterator[None]:
    """Make ``stream`` sys.stderr inside the test body (pytest's capture resets sys.stderr after fixtures)."""
    saved = sys.stderr
    sys.stderr = stream
    try:
        yield
    finally:
        sys.stderr = saved


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTerminal]:
    stream = FakeTerminal()
    monkeypatch.setenv("COLUMNS", "200")
    kartcore_logger = logging.getLogger("kartcore")
    level = kartcore_logger.level
    kartcore_logger.setLevel(logging.NOTSET)
    yield stream
    kartcore_logger.setLevel(level)


def _callbacks() -> int:
    return sum(len(callbacks) for callbacks in luigi.Task._event_callbacks.get(luigi.Task, {}).values())


def test_build_on_a_terminal_shows_done_total_running_and_elapsed(terminal: FakeTerminal) -> None:
    with as_stderr(terminal):
        assert kartcore.build(Second()) == 2
        assert sys.stderr is terminal, "stderr is given back"
    text = terminal.getvalue()
    assert "kart: 0/2 tasks done" in text
    assert "running test_progress.First (" in text or "running First (" in text
    assert "kart: 1/2 tasks done | running" in text
    assert "kart: 2/2 tasks done | elapsed " in text
    assert text.endswith(CLEAR_LINE), "the line is taken away at the end"


def test_tasks_already_complete_count_as_done(terminal: FakeTerminal) -> None:
    kartcore.build(First())
    with as_stderr(terminal):
        kartcore.build(Second())
    assert "kart: 1/2 tasks done | running" in terminal.getvalue()


def test_other_output_clears_the_line_first(terminal: FakeTerminal, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = logging.StreamHandler(terminal)
    logging.getLogger("kartcore.test").addHandler(handler)
    out = FakeTerminal()
    saved_stdout = sys.stdout
    sys.stdout = out
    try:
        with as_stderr(terminal):
            kartcore.build(Second(), log_level=logging.ERROR)
        assert sys.stdout is out
    finally:
        sys.stdout = saved_stdout
        logging.getLogger("kartcore.test").removeHandler(handler)
    text = terminal.getvalue()
    before_log = text.split("a log line in the middle")[0]
    assert before_log.endswith(CLEAR_LINE), "the progress text is cleared before the log record"
    after_log = text.split("a log line in the middle\n")[1]
    assert after_log.startswith(CLEAR_LINE + "kart: "), "and drawn again after it"
    assert "a print in the middle\n" in out.getvalue()
    assert handler.stream is terminal


def test_failures_are_counted(terminal: FakeTerminal) -> None:
    with pytest.raises(BuildError), as_stderr(terminal):
        kartcore.build(Fails())
    assert "kart: 1/2 tasks done, 1 failed" in terminal.getvalue()


def test_quiet_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with as_stderr(stream):
        kartcore.build(Second())
    assert "kart:" not in stream.getvalue()


@pytest.mark.parametrize(("level", "shown"), [(logging.WARNING, False), (logging.ERROR, False), (logging.INFO, True)])
def test_quiet_when_the_kartcore_logger_is_set_above_info(terminal: FakeTerminal, level: int, shown: bool) -> None:
    logging.getLogger("kartcore").setLevel(level)
    with as_stderr(terminal):
        kartcore.build(Second())
    assert ("kart: " in terminal.getvalue()) is shown


def test_handlers_are_registered_once(terminal: FakeTerminal) -> None:
    kartcore.build(First())
    before = _callbacks()
    with as_stderr(terminal):
        for _ in range(3):
            kartcore.build(Second(rerun=True))
    assert _callbacks() == before
    assert progress._active == []


def test_the_line_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    line = ProgressLine(FakeTerminal())
    line.event(First(), "running")
    text = line.text()
    assert len(text) == 39 and text.endswith("…")


def test_follow_level_clears_the_line_when_the_logger_is_turned_down(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = FakeTerminal()
    logger = logging.getLogger("kartcore")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    with reporting(stream, follow_level=True) as line:
        assert line is not None
        line.event(First(), "running")
        assert "kart: 0/1 tasks done | running" in stream.getvalue()
        logger.level = logging.WARNING
        line.draw(force=True)
        assert stream.getvalue().endswith(CLEAR_LINE)
        written = len(stream.getvalue())
        line.draw(force=True)
        assert len(stream.getvalue()) == written, "nothing more is drawn"


def test_events_from_other_processes_are_ignored(terminal: FakeTerminal, monkeypatch: pytest.MonkeyPatch) -> None:
    line = ProgressLine(terminal, workers=2)
    monkeypatch.setattr(line, "pid", -1)
    line.event(First(), "running")
    assert line.states == {} and terminal.getvalue() == ""
    monkeypatch.setattr(line, "pid", os.getpid())
    line.event(First(), "pending")
    assert "2 worker processes" in line.text()


def test_build_with_worker_processes_still_completes(terminal: FakeTerminal) -> None:
    with as_stderr(terminal):
        assert kartcore.build(Second(), workers=2) == 2
    assert "kart: " in terminal.getvalue()
