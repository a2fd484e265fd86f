"""``kill -9`` a build at 20 moments: no half-written output, nothing complete that is not, and the next build recovers.

The child process (:mod:`tests.reliability.dag`) writes a 40 MB pickle, a digest of it and a report,
plus their run records. The kill delays are spread over the duration of a first full build, measured
from the moment the child has finished importing (it prints ``READY``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability import dag

REPO = Path(__file__).resolve().parents[2]
KILL_POINTS = 20
RUNNER = "from tests.reliability.dag import main; main()"

pytestmark = pytest.mark.slow


def start(workspace: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(workspace)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(process: subprocess.Popen[str]) -> float:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.strip() == "READY", line + (process.stderr.read() if process.stderr else "")
    return time.monotonic()


def full_run(workspace: Path) -> float:
    """Seconds from READY to exit of a complete build."""
    process = start(workspace)
    ready = wait_ready(process)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "DONE" in out
    return time.monotonic() - ready


def temp_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if ".kart-tmp-" in path.name]


def check_state(workspace: Path) -> tuple[int, int]:
    """Every existing output is whole and correct; every complete task has a correct output.

    Returns (outputs present, tasks complete).
    """
    present = complete = 0
    for name, task in dag.tasks(str(workspace)).items():
        target = task.output()
        if target.exists():
            present += 1
            assert target.load() == dag.EXPECTED[name](), f"{target.path()} is torn"
        if task.complete():
            complete += 1
            assert target.load() == dag.EXPECTED[name](), f"{name} counts as complete with a wrong output"
    return present, complete


def test_kill_minus_nine_at_twenty_moments(tmp_path: Path) -> None:
    duration = full_run(tmp_path / "measure")
    assert check_state(tmp_path / "measure") == (3, 3)
    outcomes = []
    for point in range(KILL_POINTS):
        workspace = tmp_path / f"kill-{point}"
        delay = duration * (point + 0.5) / KILL_POINTS
        process = start(workspace)
        wait_ready(process)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
        killed = process.returncode == -signal.SIGKILL  # False: the build finished before the signal
        leftovers = len(temp_files(workspace))
        present, complete = check_state(workspace)

        rerun = start(workspace)
        wait_ready(rerun)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        assert "DONE" in out
        assert check_state(workspace) == (3, 3)
        outcomes.append((round(delay, 3), killed, present, complete, leftovers))

    report = "\n".join(
        f"delay={d}s killed={k} outputs_present={p} complete={c} temp_leftovers={t}" for d, k, p, c, t in outcomes
    )
    print(f"\nbuild duration after READY: {duration:.3f}s\n{report}")
    print(
        f"kill points tried={KILL_POINTS} killed={sum(o[1] for o in outcomes)} survived={len(outcomes)} "
        f"temp leftovers total={sum(o[4] for o in outcomes)}"
    )
    # The kills must actually land during the build, not all after it.
    assert sum(o[1] for o in outcomes) >= KILL_POINTS // 2
