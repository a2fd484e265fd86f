"""``python main.py pkg.Task --dask-scheduler ADDRESS``: the bad command lines, each refused with its exit code
and nothing written, and the ``[kartcore] dask_scheduler`` config key. (Runs on a cluster: tests/e2e/test_dask.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.dask_cluster import REPOSITORY
from tests.servers import free_port

MAIN = "import kartcore\nimport tests.e2e.dask_dag  # noqa: F401\n\nkartcore.run()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(MAIN)
    return tmp_path


def run_main(project: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` (``prelude`` runs first, in the same interpreter)."""
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    command = [sys.executable, "main.py", *args]
    if prelude:
        command = [
            sys.executable,
            "-c",
            f"{prelude}\nimport runpy, sys\nsys.argv = {command[1:]!r}\nrunpy.run_path('main.py')",
        ]
    return subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True, timeout=120)


def unreachable() -> str:
    return f"tcp://127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    "luigi_flags", [["--scheduler-host", "127.0.0.1"], ["--scheduler-port", "8082"], ["--local-scheduler"]]
)
def test_dask_and_a_luigi_scheduler_together_exit_2_and_write_nothing(project: Path, luigi_flags: list[str]) -> None:
    result = run_main(project, "dask_dag.Leaf", "--index=1", "--dask-scheduler", unreachable(), *luigi_flags)
    assert result.returncode == 2, result.stderr
    assert f"--dask-scheduler and {luigi_flags[0]} choose two different schedulers; pick one" in result.stderr
    assert os.listdir(project) == ["main.py"]


def test_an_unreachable_dask_scheduler_exits_4_and_writes_nothing(project: Path) -> None:
    address = unreachable()
    result = run_main(project, "dask_dag.Leaf", "--index=1", "--dask-scheduler", address)
    assert result.returncode == 4, result.stderr
    assert f"kartcore: cannot reach the Dask scheduler at {address}: [Errno 111] Connection refused" in result.stderr
    assert "dask scheduler --port" in result.stderr and "--local-scheduler" in result.stderr
    assert os.listdir(project) == ["main.py"]


def test_the_config_key_chooses_dask_unless_the_command_line_chooses_luigi(project: Path) -> None:
    address = unreachable()
    (project / "luigi.cfg").write_text(f"[kartcore]\ndask_scheduler = {address}\n")
    result = run_main(project, "dask_dag.Leaf", "--index=1", "--seconds=0")
    assert result.returncode == 4, result.stderr
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr

    result = run_main(project, "dask_dag.Leaf", "--index=1", "--seconds=0", "--local-scheduler")
    assert result.returncode == 0, result.stderr
    assert (project / "resources").is_dir()


def test_without_dask_installed_the_option_says_what_to_install(project: Path) -> None:
    prelude = "import sys\nsys.modules['distributed'] = None  # as if dask[distributed] were not installed"
    result = run_main(project, "dask_dag.Leaf", "--index=1", "--dask-scheduler", unreachable(), prelude=prelude)
    assert result.returncode == 2, result.stderr
    assert "needs dask[distributed]: pip install 'gokart-core[dask]'" in result.stderr
    assert os.listdir(project) == ["main.py"]
