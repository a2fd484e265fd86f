"""Ctrl-C and SIGTERM during a run, with real processes: clean exit, no temp files, no worker left to publish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import no_temp_files

PIPELINE = textwrap.dedent(
    """
    import os
    import time

    import kartcore


    class Hold(kartcore.TaskOnKart):
        task_namespace = "held"

        def run(self):
            self.dump("staged, never to be published")  # a .kart-tmp- file exists from here on
            while not os.path.exists("release"):
                time.sleep(0.05)
    """
)

MAIN = "import kartcore\nimport pipeline  # noqa: F401\n\nkartcore.run()\n"

BUILD = textwrap.dedent(
    """
    import sys

    import kartcore
    import pipeline

    try:
        kartcore.build(pipeline.Hold(), workers=int(sys.argv[1]))
    except KeyboardInterrupt as exc:
        print(f"build raised {type(exc).__name__}: {exc}")
        sys.exit(7)
    """
)

#: Long enough for any machine; only a hang would reach it (no test asserts a duration).
PATIENCE_SECONDS = 120


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "build.py").write_text(BUILD)
    return tmp_path


def start_and_wait_until_staged(project: Path, *command: str) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """Start ``command`` in its own process group; return once the task has staged its output."""
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not list((project / "resources" / "pipeline").glob(".Hold_*.kart-tmp-*")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the task never staged its output: {process.communicate()}")
        time.sleep(0.05)
    return process, psutil.Process(process.pid).children(recursive=True)


def alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def assert_stopped_cleanly(project: Path, task_processes: list[psutil.Process]) -> None:
    assert not [child.pid for child in task_processes if alive(child)], "no task process outlives the command"
    (project / "release").touch()  # a surviving task would now finish and publish
    assert no_temp_files(project / "resources")
    assert not list((project / "resources" / "pipeline").glob("Hold_*.pkl")), "the output was not published"


@pytest.mark.parametrize(
    ("signum", "workers", "whole_group"),
    [
        (signal.SIGINT, 1, False),
        (signal.SIGTERM, 1, False),
        (signal.SIGINT, 2, False),
        (signal.SIGTERM, 2, False),
        (signal.SIGINT, 2, True),  # Ctrl-C in a terminal reaches the worker processes too
    ],
)
def test_a_signal_stops_the_command_cleanly(project: Path, signum: int, workers: int, whole_group: bool) -> None:
    command = ["main.py", "held.Hold", "--local-scheduler", "--workers", str(workers)]
    process, task_processes = start_and_wait_until_staged(project, *command)
    assert len(task_processes) == (1 if workers > 1 else 0), "with --workers 2 the task runs in its own process"
    (os.killpg if whole_group else os.kill)(process.pid, signum)
    _, stderr = process.communicate(timeout=PATIENCE_SECONDS)
    name = signal.Signals(signum).name
    assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
    assert stderr.strip().splitlines()[-1] == (
        f"kartcore: interrupted by {name}: the running tasks were stopped and their unpublished outputs discarded"
    )
    assert "Traceback" not in stderr
    assert_stopped_cleanly(project, task_processes)


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_during_build_raises_keyboard_interrupt_after_stopping_every_task(project: Path, workers: int) -> None:
    process, task_processes = start_and_wait_until_staged(project, "build.py", str(workers))
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=PATIENCE_SECONDS)
    assert (process.returncode, stdout.strip()) == (7, "build raised Interrupted: interrupted by SIGINT"), stderr
    assert_stopped_cleanly(project, task_processes)
