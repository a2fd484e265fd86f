"""After generation, with ``verify=yes``: run the pipeline and the project's tests in a throwaway workspace.

When this Python cannot import what they need, say how to run them instead of failing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_common import BUNDLED, USER_INSTALLS, VENDOR_DIR, VerificationError, run_command

VERIFY_TIMEOUT_SECONDS = 120


def run_pipeline_and_tests(project_dir: Path, context: Mapping[str, Any]) -> str:
    """Run ``main.py <package>.Sample`` and the project's tests in a throwaway workspace, if this Python can."""
    package = context["package_name"]
    bundled = context.get("kartcore_source") == BUNDLED
    missing = [name for name in ("luigi",) + (() if bundled else ("kartcore",)) if not _importable(name)]
    manager = context.get("package_manager") or "poetry"
    how = (
        f"cd {project_dir.name} && {USER_INSTALLS[manager]}"
        f" && {manager} run python main.py {package}.Sample --local-scheduler && {manager} run pytest"
    )
    if missing:
        return (
            f"verify: skipped running the pipeline and the tests: this Python ({sys.executable}) cannot import "
            f"{', '.join(missing)}. Run them with: {how}"
        )
    environment = _environment(project_dir, bundled)
    if not _importable("pytest"):
        ran = run_example(project_dir, package, [sys.executable], environment)
        return f"verify: {ran}; skipped the tests (this Python cannot import pytest). Run them with: {how}"
    return "verify: " + run_example_and_tests(project_dir, package, [sys.executable], environment)


def run_example(project_dir: Path, package: str, python: list[str], environment: dict[str, str]) -> str:
    """Run ``main.py <package>.Sample`` with ``python`` (an interpreter, or a package manager's ``run python``).

    The outputs go to a throwaway workspace, so the new project holds no ``resources/`` it did not ask for.
    """
    with tempfile.TemporaryDirectory(prefix="kart-verify-") as workspace:
        command = [*python, "main.py", f"{package}.Sample", "--local-scheduler", "--no-lock"]
        pipeline = _run([*command, f"--TaskOnKart-workspace-directory={workspace}"], project_dir, environment)
        if pipeline.returncode != 0:
            raise VerificationError(f"`python main.py {package}.Sample --local-scheduler` failed:\n{pipeline.stderr}")
        if not list(Path(workspace).rglob("Sample_*.pkl")):
            raise VerificationError(f"`python main.py {package}.Sample` wrote no Sample output")
    return "the pipeline ran"


def run_example_and_tests(project_dir: Path, package: str, python: list[str], environment: dict[str, str]) -> str:
    """:func:`run_example`, then the project's tests; says how many passed."""
    ran = run_example(project_dir, package, python, environment)
    tests = _run([*python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], project_dir, environment)
    if tests.returncode != 0:
        raise VerificationError(f"the project's tests failed:\n{tests.stdout[-4000:]}{tests.stderr[-2000:]}")
    return f"{ran} and the tests passed ({tests.stdout.strip().splitlines()[-1]})"


def _importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _environment(project_dir: Path, bundled: bool) -> dict[str, str]:
    paths = [str(project_dir / VENDOR_DIR)] if bundled else []
    paths.append(str(project_dir))
    existing = os.environ.get("PYTHONPATH")
    if existing:
        paths.append(existing)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def _run(command: list[str], cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_command(command, cwd, environment, VERIFY_TIMEOUT_SECONDS)
