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

from hook_common import BUNDLED, VENDOR_DIR, VerificationError

VERIFY_TIMEOUT_SECONDS = 120


def run_pipeline_and_tests(project_dir: Path, context: Mapping[str, Any]) -> str:
    """Run ``main.py <package>.Sample`` and the project's tests in a throwaway workspace, if this Python can."""
    package = context["package_name"]
    bundled = context.get("kartcore_source") == BUNDLED
    missing = [name for name in ("luigi",) + (() if bundled else ("kartcore",)) if not _importable(name)]
    manager = context.get("package_manager") or "poetry"
    install = "uv sync" if manager == "uv" else "poetry install"
    how = (
        f"cd {project_dir.name} && {install} && {manager} run python main.py {package}.Sample --local-scheduler"
        f" && {manager} run pytest"
    )
    if missing:
        return (
            f"verify: skipped running the pipeline and the tests: this Python ({sys.executable}) cannot import "
            f"{', '.join(missing)}. Run them with: {how}"
        )
    environment = _environment(project_dir, bundled)
    with tempfile.TemporaryDirectory(prefix="kart-verify-") as workspace:
        pipeline = _run(
            [
                sys.executable,
                "main.py",
                f"{package}.Sample",
                "--local-scheduler",
                "--no-lock",
                f"--TaskOnKart-workspace-directory={workspace}",
            ],
            project_dir,
            environment,
        )
        if pipeline.returncode != 0:
            raise VerificationError(f"`python main.py {package}.Sample --local-scheduler` failed:\n{pipeline.stderr}")
        if not list(Path(workspace).rglob("Sample_*.pkl")):
            raise VerificationError(f"`python main.py {package}.Sample` wrote no Sample output")
    if not _importable("pytest"):
        return f"verify: the pipeline ran; skipped the tests (this Python cannot import pytest). Run them with: {how}"
    tests = _run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], project_dir, environment)
    if tests.returncode != 0:
        raise VerificationError(f"the project's tests failed:\n{tests.stdout[-4000:]}{tests.stderr[-2000:]}")
    return f"verify: the pipeline ran and the tests passed ({tests.stdout.strip().splitlines()[-1]})"


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
    try:
        return subprocess.run(
            command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=VERIFY_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise VerificationError(f"`{' '.join(command)}` took longer than {VERIFY_TIMEOUT_SECONDS} s") from None
