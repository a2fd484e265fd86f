"""Redis run locks between real ``python main.py ... --local-scheduler --no-lock`` processes.

Two processes on one shared workspace, each with its own local scheduler, only know of each other
through the Redis locks: each task must run once, and neither may fail because the other got
there first. A worker killed with SIGKILL while it holds a lock loses it after ``redis_timeout``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.kartcore.io.test_locks import redis_server  # noqa: F401  (the fixture)
from tests.servers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PIPELINE = textwrap.dedent(
    """
    import os
    import time

    import luigi
    import kartcore


    def note(name):
        with open("runs.log", "a") as log:
            log.write(f"{name} {os.getpid()}\\n")


    class Step(kartcore.TaskOnKart):
        task_namespace = "locked"
        name = luigi.Parameter()

        def requires(self):
            return [Step(name=name) for name in {"load": [], "left": ["load"], "right": ["load"],
                                                 "join": ["left", "right"]}[self.name]]

        def run(self):
            note(self.name)
            time.sleep(0.8)
            self.dump(self.name)


    class Sleepy(kartcore.TaskOnKart):
        task_namespace = "locked"

        def run(self):
            note("sleepy")
            open("sleepy.started", "w").close()
            time.sleep(float(os.environ.get("SLEEPY_SECONDS", "0")))
            self.dump("awake")
    """
)

MAIN = "import kartcore\nimport pipeline  # noqa: F401\n\nkartcore.add_config('param.ini')\nkartcore.run()\n"


def _project(tmp_path: Path, port: int, timeout: int = 180) -> Path:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "param.ini").write_text(
        f"[TaskOnKart]\nredis_host = 127.0.0.1\nredis_port = {port}\nredis_timeout = {timeout}\n"
    )
    return tmp_path


def _start(project: Path, task: str, *args: str, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{ROOT}", **env}
    return subprocess.Popen(
        [sys.executable, "main.py", task, *args, "--local-scheduler", "--no-lock"],
        cwd=project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _runs(project: Path) -> list[str]:
    return [line.split()[0] for line in (project / "runs.log").read_text().splitlines()]


def test_two_processes_on_one_workspace_run_each_task_once_and_both_succeed(
    tmp_path: Path,
    redis_server: int,  # noqa: F811
) -> None:
    project = _project(tmp_path, redis_server)
    processes = [_start(project, "locked.Step", "--name", "join") for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert sorted(_runs(project)) == ["join", "left", "load", "right"], "every task ran exactly once"
    outputs_written = [path for path in (project / "resources").rglob("Step_*.pkl") if "log" not in path.parts]
    assert len(outputs_written) == 4
    assert len(list((project / "resources" / "log" / "processing_time").iterdir())) == 4, "one record per run"


def test_a_worker_killed_while_holding_the_lock_loses_it_and_another_takes_over(
    tmp_path: Path,
    redis_server: int,  # noqa: F811
) -> None:
    import redis

    project = _project(tmp_path, redis_server, timeout=2)
    client = redis.Redis(host="127.0.0.1", port=redis_server)
    first = _start(project, "locked.Sleepy", SLEEPY_SECONDS="600")
    second: subprocess.Popen[str] | None = None
    try:
        deadline = time.monotonic() + 60
        while not (project / "sleepy.started").exists():
            assert first.poll() is None, first.communicate()[0]
            assert time.monotonic() < deadline, "the first worker never started Sleepy"
            time.sleep(0.1)
        time.sleep(3)  # longer than the 2 s time to live: the running worker renews its lock
        assert [key for key in client.keys("kartcore:*") if key.endswith(b"-run")], "the lock is still held"
        second = _start(project, "locked.Sleepy", SLEEPY_SECONDS="0")
        time.sleep(3)
        assert second.poll() is None, "the second worker waits for the lock"
        assert _runs(project) == ["sleepy"]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        output = second.communicate(timeout=60)[0]
        assert second.returncode == 0, output
        assert time.monotonic() - killed_at < 15, "the dead worker's lock expired after redis_timeout"
        assert _runs(project) == ["sleepy", "sleepy"], "the second worker ran the task the dead one left"
        assert client.keys("kartcore:*") == []
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        client.close()


def test_an_unreachable_redis_fails_the_command_quickly_with_host_and_port(tmp_path: Path) -> None:
    port = free_port()
    project = _project(tmp_path, port)
    started = time.monotonic()
    process = _start(project, "locked.Step", "--name", "load")
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 1, output
    assert time.monotonic() - started < 30
    assert f"127.0.0.1:{port}" in output
    assert not (project / "runs.log").exists()
    assert not (project / "resources").exists() or not [p for p in (project / "resources").rglob("*") if p.is_file()]
