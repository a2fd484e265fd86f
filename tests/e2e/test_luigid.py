"""Two command-line workers sharing one DAG through a real luigid: each task runs once, both exit 0."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.e2e.cluster import run_at_once

PIPELINE = textwrap.dedent(
    """
    import os
    import time

    import luigi
    import kartcore


    class Slow(kartcore.TaskOnKart):
        task_namespace = "shared"
        index = luigi.IntParameter()

        def run(self):
            time.sleep(0.4)
            with open("runs.log", "a") as log:
                log.write(f"{self.index} {os.getpid()}\\n")
            self.dump(self.index)


    class Total(kartcore.TaskOnKart):
        task_namespace = "shared"

        def requires(self):
            return [Slow(index=i) for i in range(8)]

        def run(self):
            with open("runs.log", "a") as log:
                log.write(f"total {os.getpid()}\\n")
            self.dump(sum(self.load()))
    """
)

MAIN = "import kartcore\nimport pipeline  # noqa: F401\n\nkartcore.run()\n"


@pytest.mark.slow
def test_two_workers_share_a_dag_through_luigid(tmp_path: Path, luigid: int) -> None:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    (tmp_path / "main.py").write_text(MAIN)
    command = [
        sys.executable,
        "main.py",
        "shared.Total",
        "--scheduler-host",
        "127.0.0.1",
        "--scheduler-port",
        str(luigid),
        "--no-lock",
    ]
    codes, outputs = run_at_once([command, command], tmp_path)
    assert codes == [0, 0], outputs
    runs = (tmp_path / "runs.log").read_text().split()
    names = runs[0::2]
    pids = runs[1::2]
    assert sorted(names) == sorted([str(i) for i in range(8)] + ["total"]), "every task ran exactly once"
    assert len(set(pids)) == 2, "the work was split between the two processes"
    result = subprocess.run(
        [sys.executable, "-c", "import pipeline, kartcore; print(kartcore.build(pipeline.Total()))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(sum(range(8)))


SLOW_ROOT = textwrap.dedent(
    """
    import os
    import time

    import luigi
    import kartcore


    class Part(kartcore.TaskOnKart):
        task_namespace = "slowroot"
        index = luigi.IntParameter()

        def run(self):
            time.sleep(0.3)
            self.dump(self.index)


    class Root(kartcore.TaskOnKart):
        task_namespace = "slowroot"

        def requires(self):
            return [Part(index=i) for i in range(4)]

        def run(self):
            with open("root.log", "a") as log:
                log.write(f"{os.getpid()}\\n")
            time.sleep(3)  # long after the other process has run out of work
            self.dump(sum(self.load()))
    """
)


@pytest.mark.slow
def test_the_process_without_work_waits_for_the_root_another_one_runs(tmp_path: Path, luigid: int) -> None:
    """luigi's worker stops once none of its tasks is pending; the command waits until the root is done."""
    (tmp_path / "pipeline.py").write_text(SLOW_ROOT)
    (tmp_path / "main.py").write_text(MAIN)
    command = [sys.executable, "main.py", "slowroot.Root", "--scheduler-host", "127.0.0.1"]
    command += ["--scheduler-port", str(luigid), "--no-lock"]
    codes, outputs = run_at_once([command, command], tmp_path)
    assert codes == [0, 0], outputs
    assert len((tmp_path / "root.log").read_text().split()) == 1, "the root ran once"


@pytest.mark.slow
def test_a_process_that_schedules_again_keeps_its_own_lock(tmp_path: Path, luigid: int) -> None:
    """Without keep-alive a process gives up on tasks the other one runs and schedules the DAG again; luigi's
    process lock (taken, as by default, in a directory of its own) must not refuse that second round."""
    (tmp_path / "pipeline.py").write_text(SLOW_ROOT)
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "luigi.cfg").write_text("[worker]\nkeep_alive = false\n")
    command = [sys.executable, "main.py", "slowroot.Root", "--scheduler-host", "127.0.0.1"]
    command += ["--scheduler-port", str(luigid), "--lock-pid-dir"]
    codes, outputs = run_at_once([[*command, str(tmp_path / f"locks-{index}")] for index in range(2)], tmp_path)
    assert codes == [0, 0], outputs
    assert len((tmp_path / "root.log").read_text().split()) == 1, "the root ran once"
