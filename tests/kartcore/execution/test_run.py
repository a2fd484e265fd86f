"""run(): the command line, its exit codes, and bad command lines that write nothing."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import files_under, no_temp_files

PIPELINE_TASKS = textwrap.dedent(
    """
    import os

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


    class Flaky(Base):
        def run(self):
            if os.environ.get("KART_TEST_FAIL"):
                raise RuntimeError("the rerun broke on purpose")
            self.dump("first version")
    """
)

#: Tasks whose definitions break, and one with a parameter named like a prefix of luigi's --no-lock
#: (also used by the kart command tests, with the toy project's ``Base``).
BROKEN_TASKS = textwrap.dedent(
    """
    class BadRequires(Base):
        def requires(self):
            raise ValueError("requires broke on purpose")

        def run(self):
            self.dump(1)


    class BadOutput(Base):
        def output(self):
            raise ValueError("output broke on purpose")

        def run(self):
            self.dump(1)


    class Count(Base):
        n = luigi.IntParameter(default=1)

        def run(self):
            self.dump(self.n)
    """
)

PIPELINE = PIPELINE_TASKS + BROKEN_TASKS

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


RunCommandLine = Callable[[list[str]], int]


@pytest.fixture
def in_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> RunCommandLine:
    """``run_command_line`` in this process, with the project's pipeline imported."""
    monkeypatch.syspath_prepend(str(project))
    from kartcore.execution.run import run_command_line

    __import__("pipeline")
    return run_command_line


def run_main(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    command = [sys.executable, "main.py", *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120, env=environment)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_success_exits_zero_and_writes_outputs(project: Path) -> None:
    result = run_main(project, "pipeline.Greeting", "--local-scheduler", "--name=kart", "--times=2")
    assert result.returncode == 0, result.stderr
    outputs = files_under(project / "resources")
    assert any(path.startswith("pipeline/Greeting_") for path in outputs)
    assert sum(path.startswith("log/") for path in outputs) == 6  # gokart's five records and the JSON run record


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


def test_run_accepts_argv_in_process(in_process: RunCommandLine) -> None:
    import kartcore

    assert in_process(["pipeline.Greeting", "--local-scheduler", "--name=inproc", "--no-lock"]) == 0
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


def test_a_failed_rerun_exits_non_zero_although_the_old_output_is_still_there(project: Path) -> None:
    assert run_main(project, "pipeline.Flaky", "--local-scheduler").returncode == 0
    [output] = (project / "resources" / "pipeline").glob("Flaky_*.pkl")
    result = run_main(project, "pipeline.Flaky", "--local-scheduler", "--rerun", KART_TEST_FAIL="1")
    assert result.returncode == 1, "the exit code says what this run did, not what the disk holds"
    assert last_line(result).startswith("kartcore: pipeline.Flaky[")
    assert last_line(result).endswith("failed: RuntimeError: the rerun broke on purpose")
    assert pickle.loads(output.read_bytes()) == "first version", "the previous output is left as it was"
    assert no_temp_files(project / "resources")


@pytest.mark.parametrize("method", ["requires", "output"])
def test_a_requires_or_output_that_raises_is_one_line_naming_task_method_and_exception(
    project: Path, method: str
) -> None:
    family = "BadRequires" if method == "requires" else "BadOutput"
    result = run_main(project, f"pipeline.{family}", "--local-scheduler")
    assert result.returncode == 1
    raising = f'raise ValueError("{method} broke on purpose")'
    [line] = [number for number, text in enumerate(PIPELINE.splitlines(), 1) if text.strip() == raising]
    assert last_line(result) == (
        f"kartcore: task pipeline.{family}: {method}() raised ValueError: {method} broke on purpose "
        f"(at {project / 'pipeline.py'}:{line})"
    )
    assert "run_command_line" not in result.stderr, "kartcore itself did not crash"
    assert not (project / "resources").exists()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--workers=abc", "task pipeline.Count: invalid value 'abc' for --workers: invalid literal for int()"),
        ("--scheduler-port=abc", "task pipeline.Count: invalid value 'abc' for --scheduler-port: invalid literal"),
        ("--log-level=NOPE", "task pipeline.Count: invalid value 'NOPE' for --log-level: NOPE is not a valid choice"),
        ("--workers=0", "--workers (or [core] workers) must be a whole number at least 1, got 0"),
        ("--workers=-3", "--workers (or [core] workers) must be a whole number at least 1, got -3"),
        ("--scheduler-port=70000", "--scheduler-port (or [core] scheduler_port) must be a whole number between 1"),
        ("--lock-size=0", "--lock-size (or [core] lock_size) must be a whole number at least 1, got 0"),
        ("--workers", "argument --workers: expected one argument"),
        ("--no-l", "task pipeline.Count has no parameter --no-l. Did you mean --no-lock?"),
    ],
)
def test_a_bad_luigi_option_exits_2_with_one_line_and_writes_nothing(
    project: Path, option: str, message: str, in_process: RunCommandLine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert in_process(["pipeline.Count", "--local-scheduler", option]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kartcore: {message}"), lines
    assert not (project / "resources").exists()


def test_a_bad_core_setting_in_the_config_exits_2(project: Path) -> None:
    (project / "luigi.cfg").write_text("[core]\nworkers = many\n")
    result = run_main(project, "pipeline.Count", "--local-scheduler")
    assert result.returncode == 2
    assert last_line(result).startswith("kartcore: invalid [core] setting in the luigi config:")
    assert "'workers'" in last_line(result) and "'many'" in last_line(result)
    (project / "luigi.cfg").write_text("[core]\nworkers = 0\n")
    result = run_main(project, "pipeline.Count", "--local-scheduler")
    assert (result.returncode, last_line(result)) == (
        2,
        "kartcore: --workers (or [core] workers) must be a whole number at least 1, got 0",
    )
    assert not (project / "resources").exists()


@pytest.mark.parametrize("given", [["--n=5"], ["--n", "5"]])
def test_a_task_parameter_named_n_is_not_taken_for_no_lock(project: Path, given: list[str]) -> None:
    result = run_main(project, "pipeline.Count", "--local-scheduler", *given)
    assert result.returncode == 0, result.stderr
    [output] = (project / "resources" / "pipeline").glob("Count_*.pkl")
    assert pickle.loads(output.read_bytes()) == 5


@pytest.mark.parametrize(
    ("url", "reason"), [("http://127.0.0.1:99999/", "Port out of range"), ("http://[::1/", "Invalid IPv6 URL")]
)
def test_a_scheduler_url_that_is_not_a_url_exits_2(
    project: Path, url: str, reason: str, in_process: RunCommandLine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert in_process(["pipeline.Count", f"--scheduler-url={url}"]) == 2
    assert capsys.readouterr().err.startswith(f"kartcore: --scheduler-url {url!r} is not a usable URL: {reason}")
    assert not (project / "resources").exists()
