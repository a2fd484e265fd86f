"""run(): the command line, its exit codes, and bad command lines that write nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import files_under

PIPELINE = textwrap.dedent(
    """
    import luigi
    import kartcore


    class Base(kartcore.TaskOnKart):
        task_namespace = "pipeline"


    class Greeting(Base):
        name = luigi.Parameter()
        times = luigi.IntParameter(default=1)

        def run(self):
            self.dump(" ".join([f"hello {self.name}"] * self.times))


    class Shout(Base):
        greeting = kartcore.TaskInstanceParameter()

        def run(self):
            self.dump(self.load("greeting").upper())


    class Broken(Base):
        def run(self):
            raise RuntimeError("broken on purpose")
    """
)

MAIN = textwrap.dedent(
    """
    import kartcore
    import pipeline  # noqa: F401  (registers the tasks)

    if __name__ == "__main__":
        kartcore.run()
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    (tmp_path / "main.py").write_text(MAIN)
    return tmp_path


def run_main(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=project, capture_output=True, text=True, timeout=120)


def test_success_exits_zero_and_writes_outputs(project: Path) -> None:
    result = run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=kart", "--times=2")
    assert result.returncode == 0, result.stderr
    outputs = files_under(project / "resources")
    assert any(path.startswith("pipeline/Greeting_") for path in outputs)
    assert sum(path.startswith("log/") for path in outputs) == 5


def test_second_run_reuses_the_cache_and_exits_zero(project: Path) -> None:
    assert run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=a").returncode == 0
    result = run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=a")
    assert result.returncode == 0
    assert "complete ones were encountered" in result.stderr + result.stdout


def test_workers_option(project: Path) -> None:
    result = run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=w", "--workers", "2")
    assert result.returncode == 0, result.stderr


def test_failed_task_exits_non_zero(project: Path) -> None:
    result = run_main(project, "pipeline.Broken", "--local-scheduler")
    assert result.returncode == 1
    assert "broken on purpose" in result.stderr
    assert not (project / "resources" / "pipeline").exists()


def test_missing_parameter_names_it_and_writes_nothing(project: Path) -> None:
    result = run_main(project, "pipeline.Greeting", "--local-scheduler")
    assert result.returncode == 2
    assert "pipeline.Greeting needs --name" in result.stderr
    assert not (project / "resources").exists()


def test_invalid_parameter_value_names_it_and_writes_nothing(project: Path) -> None:
    result = run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=x", "--times=many")
    assert result.returncode == 2
    assert "invalid value 'many' for --times" in result.stderr
    assert not (project / "resources").exists()


def test_unknown_task_suggests_close_names_and_writes_nothing(project: Path) -> None:
    result = run_main(project, "pipeline.Greting", "--local-scheduler")
    assert result.returncode == 2
    assert "unknown task 'pipeline.Greting'" in result.stderr and "pipeline.Greeting" in result.stderr
    assert not (project / "resources").exists()


def test_run_accepts_argv_in_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(project))
    import kartcore
    from kartcore.execution.run import run_command_line

    __import__("pipeline")
    assert run_command_line(["pipeline.Greeting", "--local-scheduler", "--name=inproc", "--no-lock"]) == 0
    with pytest.raises(SystemExit) as info:
        kartcore.run(["pipeline.Broken", "--local-scheduler", "--no-lock"])
    assert info.value.code == 1


def test_unreachable_central_scheduler_fails_fast_and_writes_nothing(project: Path) -> None:
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    started = time.monotonic()
    scheduler = ["--scheduler-host", "127.0.0.1", "--scheduler-port", str(port)]
    result = run_main(project, "pipeline.Greeting", "--name=x", *scheduler)
    assert time.monotonic() - started < 30
    assert result.returncode == 4
    assert f"cannot reach the central scheduler (luigid) at http://127.0.0.1:{port}/" in result.stderr
    assert not (project / "resources").exists()
