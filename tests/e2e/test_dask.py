"""The DAG on a real Dask cluster (a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1).

Each task is published once (one ``done`` line in the journal), also with two drivers at once and when a
worker is SIGKILLed mid-task; a shared S3 workspace on moto's server works; a failure comes back with its
traceback; tasks that cannot travel to a worker are refused or fail with a message that says why; Ctrl-C or
SIGTERM stops the driver in one line and cancels what has not started.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import kartcore
from tests.conftest import no_temp_files
from tests.e2e import dask_dag
from tests.e2e.dask_cluster import DaskCluster, dask_cluster
from tests.e2e.storage_dag import use_workspace
from tests.kartcore.io.s3_server import keys_in, moto_endpoint, s3_bucket

__all__ = ["dask_cluster", "moto_endpoint", "s3_bucket"]  # fixtures, used by name

pytestmark = pytest.mark.slow

MAIN = "import kartcore\nimport tests.e2e.dask_dag  # noqa: F401\n\nkartcore.run()\n"


@pytest.fixture
def cluster(dask_cluster: DaskCluster) -> DaskCluster:
    """The module's cluster with both workers up (a test before may have killed one; its nanny restarts it)."""
    dask_cluster.wait_for_workers()
    return dask_cluster


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(MAIN)
    return tmp_path


def driver(cluster: DaskCluster, project: Path, *args: str) -> subprocess.Popen[str]:
    """``python main.py ARGS --dask-scheduler ADDRESS`` in ``project``, with the workers' environment."""
    command = [sys.executable, "main.py", *args, "--dask-scheduler", cluster.address]
    return subprocess.Popen(
        command, cwd=project, env=cluster.environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


def total_args(project: Path) -> list[str]:
    workspace = project / "workspace"
    return ["dask_dag.Total", f"--journal={project / 'journal'}", f"--TaskOnKart-workspace-directory={workspace}"]


def assert_total_published_once(project: Path, workspace: str) -> None:
    assert dask_dag.count(project / "journal", "done") == dict.fromkeys(dask_dag.total_tasks(), 1)
    use_workspace(workspace)
    total = dask_dag.Total()
    assert all(task.complete() for task in [total, *total.requires()])
    assert total.output().load() == sum(range(dask_dag.LEAVES))


def test_one_driver_runs_each_task_once_on_both_workers(cluster: DaskCluster, project: Path) -> None:
    code, stderr = finish(driver(cluster, project, *total_args(project)))
    assert code == 0, stderr
    assert f"Dask ({cluster.address}) was given 9 tasks" in stderr
    assert_total_published_once(project, str(project / "workspace"))
    assert dask_dag.count(project / "journal", "start") == dict.fromkeys(dask_dag.total_tasks(), 1)
    leaf_pids = {pid for event, task, pid in dask_dag.journal_lines(project / "journal") if "Leaf" in task}
    assert len(leaf_pids) == 2, "both workers ran leaves"
    assert no_temp_files(project / "workspace")

    journal = (project / "journal").read_text()
    code, stderr = finish(driver(cluster, project, *total_args(project)))
    assert code == 0, stderr
    assert "was given 0 tasks, 1 found complete" in stderr
    assert (project / "journal").read_text() == journal, "a complete DAG submits nothing"


def test_two_drivers_at_once_publish_each_task_once(cluster: DaskCluster, project: Path) -> None:
    drivers = [driver(cluster, project, *total_args(project)) for _ in range(2)]
    results = [finish(process) for process in drivers]
    assert [code for code, _ in results] == [0, 0], results
    assert_total_published_once(project, str(project / "workspace"))


def test_a_worker_killed_mid_task_does_not_stop_the_dag(cluster: DaskCluster, tmp_path: Path) -> None:
    use_workspace(str(tmp_path / "workspace"))
    marker = tmp_path / "killed"
    task = dask_dag.Total(journal=str(tmp_path / "journal"), kill_marker=str(marker))
    assert kartcore.build(task, dask_scheduler=cluster.address) == sum(range(dask_dag.LEAVES))
    assert marker.exists(), "Leaf 3 killed its worker on its first attempt"
    assert dask_dag.count(tmp_path / "journal", "start")["dask_dag.Leaf:3"] == 2
    assert_total_published_once(tmp_path, str(tmp_path / "workspace"))
    killed_pid = next(pid for event, name, pid in dask_dag.journal_lines(tmp_path / "journal") if name.endswith(":3"))
    left = [path.name for path in (tmp_path / "workspace").rglob("*.kart-tmp-*")]
    assert all(f"-{killed_pid}-" in name for name in left), "only the killed attempt left temp files, never outputs"


def test_a_shared_s3_workspace(cluster: DaskCluster, s3_bucket: str, tmp_path: Path) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    use_workspace(workspace)  # the driver's config: sent to the workers, whose requires() read it
    task = dask_dag.Total(journal=str(tmp_path / "journal"))
    assert kartcore.build(task, dask_scheduler=cluster.address) == sum(range(dask_dag.LEAVES))
    assert_total_published_once(tmp_path, workspace)
    keys = keys_in(s3_bucket)
    outputs = [task.output(), *(leaf.output() for leaf in task.requires())]
    assert {target.path().removeprefix(f"s3://{s3_bucket}/") for target in outputs} <= set(keys)
    assert not any(".kart-tmp-" in key for key in keys)


def test_a_failed_task_comes_back_with_its_traceback(cluster: DaskCluster, project: Path) -> None:
    workspace = project / "workspace"
    args = ["dask_dag.AfterBroken", f"--journal={project / 'journal'}", f"--TaskOnKart-workspace-directory={workspace}"]
    code, stderr = finish(driver(cluster, project, *args))
    assert code == 1, stderr
    failed = [line for line in stderr.splitlines() if " failed: " in line]
    assert len(failed) == 1 and "dask_dag.Broken[" in failed[0] and "RuntimeError: broken on purpose" in failed[0]
    assert "Traceback (most recent call last)" in stderr and "raise RuntimeError" in stderr
    done = dask_dag.count(project / "journal", "done")
    assert done == {"dask_dag.Leaf:100": 1, "dask_dag.Leaf:101": 1}, "the independent leaf still ran"
    outputs = [path.name for path in workspace.rglob("*Broken_*") if "log" not in path.relative_to(workspace).parts]
    assert outputs == [], "the failed task and the one it blocked published no output"


def test_an_unpicklable_task_is_refused_before_anything_runs(cluster: DaskCluster, project: Path) -> None:
    workspace = project / "workspace"
    code, stderr = finish(
        driver(cluster, project, "dask_dag.Unpicklable", f"--TaskOnKart-workspace-directory={workspace}")
    )
    assert code == 1, stderr
    assert "cannot send dask_dag.Unpicklable[" in stderr and "attribute 'connection'" in stderr
    assert "_thread.lock, which cannot be pickled" in stderr
    assert not workspace.exists()


SCRIPT = textwrap.dedent(
    """
    import os
    import sys

    import luigi
    import luigi.configuration

    import kartcore


    class Double(kartcore.TaskOnKart):
        task_namespace = "script"
        n = luigi.IntParameter()

        def run(self):
            self.dump(os.getpid())


    class Gather(kartcore.TaskOnKart):
        task_namespace = "script"

        def requires(self):
            return [Double(n=i) for i in range(3)]

        def run(self):
            self.dump(self.load())


    if __name__ == "__main__":
        luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", sys.argv[2])
        print(os.getpid(), kartcore.build(Gather(), dask_scheduler=sys.argv[1]))
    """
)


def test_tasks_defined_in_main_run_on_the_workers(cluster: DaskCluster, tmp_path: Path) -> None:
    (tmp_path / "script.py").write_text(SCRIPT)
    command = [sys.executable, "script.py", cluster.address, str(tmp_path / "workspace")]
    result = subprocess.run(command, cwd=tmp_path, env=cluster.environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    driver_pid, run_pids = result.stdout.strip().split(" ", 1)
    pids = [int(pid) for pid in run_pids.strip("[]").split(",")]
    assert len(pids) == 3 and int(driver_pid) not in pids, "the classes travelled by value to the workers"


def test_workers_that_cannot_import_the_task_say_so(cluster: DaskCluster, project: Path) -> None:
    (project / "private_tasks.py").write_text(
        "import kartcore\n\n\nclass Private(kartcore.TaskOnKart):\n    def run(self):\n        self.dump(1)\n"
    )
    (project / "main.py").write_text("import kartcore\nimport private_tasks  # noqa: F401\n\nkartcore.run()\n")
    workspace = project / "workspace"
    code, stderr = finish(driver(cluster, project, "Private", f"--TaskOnKart-workspace-directory={workspace}"))
    assert code == 1, stderr
    assert "cannot load task kart-Private-" in stderr and "No module named 'private_tasks'" in stderr
    assert "PYTHONPATH" in stderr
    assert not workspace.exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_the_driver_and_cancels_what_has_not_started(
    cluster: DaskCluster, project: Path, signum: int
) -> None:
    """One line and the shell's exit code (130, 143); Total and most leaves never start; what was running on a
    worker finishes there and is published whole (Dask cannot stop a running function)."""
    journal, workspace = project / "journal", project / "workspace"
    args = ["dask_dag.Total", f"--journal={journal}", "--seconds=2", f"--TaskOnKart-workspace-directory={workspace}"]
    process = driver(cluster, project, *args)
    deadline = time.monotonic() + 120
    while not dask_dag.count(journal, "start"):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1]
        time.sleep(0.05)
    process.send_signal(signum)
    code, stderr = finish(process)
    name = signal.Signals(signum).name
    assert code == 128 + signum, stderr
    assert f"kartcore: interrupted by {name}: the tasks Dask had not started were cancelled" in stderr
    assert "Traceback" not in stderr
    while dask_dag.count(journal, "start") != dask_dag.count(journal, "done"):  # the running leaves finish
        assert time.monotonic() < deadline, journal.read_text()
        time.sleep(0.1)
    time.sleep(2.5)  # longer than a leaf: a leaf Dask had queued would have started by now
    started = dask_dag.count(journal, "start")
    assert "dask_dag.Total:" not in started
    assert len(started) < dask_dag.LEAVES, started
    assert no_temp_files(workspace)


BUILD_ON_DASK = """
import sys

import kartcore
from tests.e2e import dask_dag

try:
    kartcore.build(dask_dag.Total(journal=sys.argv[2], seconds=2), dask_scheduler=sys.argv[1])
except KeyboardInterrupt as exc:
    print(f"build raised {type(exc).__name__}: {exc}")
    sys.exit(7)
"""


def test_sigterm_during_build_on_dask_raises_keyboard_interrupt(cluster: DaskCluster, project: Path) -> None:
    """build(dask_scheduler=...) turns SIGTERM into Ctrl-C, as build() on luigi does, instead of dying at once."""
    journal = project / "journal"
    (project / "build.py").write_text(BUILD_ON_DASK)
    command = [sys.executable, "build.py", cluster.address, str(journal)]
    process = subprocess.Popen(
        command, cwd=project, env=cluster.environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not dask_dag.count(journal, "start"):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1]
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=300)
    assert (process.returncode, stdout.strip()) == (7, "build raised Interrupted: interrupted by SIGTERM"), stderr
    while dask_dag.count(journal, "start") != dask_dag.count(journal, "done"):  # let the running leaves finish
        assert time.monotonic() < deadline, journal.read_text()
        time.sleep(0.1)
    assert "dask_dag.Total:" not in dask_dag.count(journal, "start")
