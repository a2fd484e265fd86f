"""End to end: the command line runs the whole DAG, as `python main.py ... --local-scheduler` does."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args, "--local-scheduler", f"--TaskOnKart-workspace-directory={workspace}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_whole_dag_runs_from_the_command_line(workspace: Path) -> None:
    result = run_main("{{ cookiecutter.package_name }}.Evaluate", workspace=workspace)
    assert result.returncode == 0, result.stderr
    (metrics_file,) = (workspace / "evaluation").glob("metrics_*.json")
    assert json.loads(metrics_file.read_text())["accuracy"] >= 0.8
    outputs = workspace / "{{ cookiecutter.package_name }}" / "model" / "sample"
    for task in ("LoadIris", "SplitData", "TrainCentroids"):
        assert len(list(outputs.glob(f"{task}_*.pkl"))) == 1
    assert "Warning" not in result.stderr


def test_a_second_run_reuses_the_cache(workspace: Path) -> None:
    assert run_main("{{ cookiecutter.package_name }}.Evaluate", workspace=workspace).returncode == 0
    second = run_main("{{ cookiecutter.package_name }}.Evaluate", workspace=workspace)
    assert second.returncode == 0
    assert "1 complete ones were encountered" in second.stderr


def test_an_unknown_task_is_refused(workspace: Path) -> None:
    result = run_main("{{ cookiecutter.package_name }}.Evaluat", workspace=workspace)
    assert result.returncode == 2
    assert "{{ cookiecutter.package_name }}.Evaluate" in result.stderr
    assert not workspace.exists()
