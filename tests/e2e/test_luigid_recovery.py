"""A worker that dies mid-task under luigid with the shipped settings: the other worker finishes the DAG.

luigi's defaults stall the DAG for ~16 minutes after such a death; ``conf/luigid.cfg`` (the template's,
used by the ``luigid`` fixture) makes luigid notice the dead worker and hand its task out again in seconds.
"""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.cluster import assert_recovered, run_at_once, slow_dag
from tests.e2e.conftest import LUIGID_CONFIG

LEAVES = 6
MAIN = "import kartcore\n\nkartcore.run()\n"


def test_shipped_settings_recover_within_30_seconds() -> None:
    """The recovery time these settings allow: disconnect delay + retry delay + a ping, pruned on every request."""
    config = configparser.ConfigParser()
    config.read(LUIGID_CONFIG)
    scheduler = config["scheduler"]
    assert scheduler.getboolean("prune_on_get_work")
    ping_seconds = 1.0  # luigi's [worker] ping_interval default
    bound = scheduler.getfloat("worker_disconnect_delay") + scheduler.getfloat("retry_delay") + ping_seconds
    assert bound < 30
    # A task that really fails is disabled after a few tries (workers exit 1 instead of retrying forever)
    # and enabled again soon, so the run after a fix is not refused.
    assert scheduler.getint("retry_count") <= 5
    assert scheduler.getint("disable_persist") <= 60


def _events(project: Path) -> list[list[str]]:
    path = project / "events.log"
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_a_worker_killed_mid_task_does_not_stop_the_dag(tmp_path: Path, luigid: int) -> None:
    (tmp_path / "slowdag.py").write_text(slow_dag("events.log", sleep=2))
    (tmp_path / "main.py").write_text(MAIN)
    command = [sys.executable, "main.py", "--module", "slowdag", "slowdag.Total", f"--width={LEAVES}"]
    command += ["--scheduler-host", "127.0.0.1", "--scheduler-port", str(luigid), "--workers", "2", "--no-lock"]

    def start(name: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            command,
            cwd=tmp_path,
            env={**os.environ, "WORKER_NAME": name},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the victim and its task processes die together, as a machine would
        )

    victim, survivor = start("victim"), start("survivor")
    try:
        deadline = time.monotonic() + 60
        while not any(event[0] == "start" and event[2] == "victim" for event in _events(tmp_path)):
            assert time.monotonic() < deadline, "the victim never started a task"
            assert victim.poll() is None, victim.communicate()[0]
            time.sleep(0.05)
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        output = survivor.communicate(timeout=180)[0]
        recovered_in = time.monotonic() - killed_at
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()

    assert victim.returncode == -signal.SIGKILL
    assert survivor.returncode == 0, output
    events = _events(tmp_path)
    assert_recovered(events, width=LEAVES, victim="victim", survivor="survivor")
    assert all(event[2] == "survivor" for event in events if event[0] == "published"), events
    # The killed attempts may leave .kart-tmp- files (never taken for outputs or records); no output is one.
    leftovers = [path for path in (tmp_path / "resources").rglob("*") if ".kart-tmp-" in path.name]
    assert all(path.parent.parent.name == "log" for path in leftovers), leftovers
    print(f"the DAG was complete {recovered_in:.1f} s after the kill")


FAILING = textwrap.dedent(
    """
    import luigi
    import kartcore


    class Broken(kartcore.TaskOnKart):
        task_namespace = "recovery"

        def run(self):
            with open("tries.log", "a") as tries:
                tries.write("try\\n")
            raise RuntimeError("broken on purpose")


    class Top(kartcore.TaskOnKart):
        task_namespace = "recovery"

        def requires(self):
            return Broken()

        def run(self):
            self.dump(1)
    """
)


@pytest.mark.slow
def test_a_task_that_keeps_failing_ends_both_workers_with_exit_1(tmp_path: Path, luigid: int) -> None:
    """Workers wait for failed tasks to be retried (keep-alive); the shipped retry_count bounds that wait."""
    (tmp_path / "pipeline.py").write_text(FAILING)
    (tmp_path / "main.py").write_text(MAIN)
    command = [sys.executable, "main.py", "--module", "pipeline", "recovery.Top", "--scheduler-host", "127.0.0.1"]
    command += ["--scheduler-port", str(luigid), "--no-lock"]
    codes, outputs = run_at_once([command, command], tmp_path, timeout=180)
    assert codes == [1, 1], outputs
    config = configparser.ConfigParser()
    config.read(LUIGID_CONFIG)
    tries = (tmp_path / "tries.log").read_text().split()
    assert 1 <= len(tries) <= config["scheduler"].getint("retry_count"), tries
    assert not (tmp_path / "resources").exists() or not list((tmp_path / "resources").glob("recovery/*"))
