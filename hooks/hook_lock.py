"""After generation: write the project's lock file, so CI and ``docker build`` work from the first commit.

CI installs strictly from the lock and the Dockerfile refuses to build without it, so a project without
one fails both. Locking needs the package manager (Poetry or uv, as answered) and a package index it can
reach; when either is missing, say so with the one command that writes the lock later. A failed attempt
leaves no lock file behind (a half-written lock would fail CI with a worse message).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOCK_FILES = {"poetry": "poetry.lock", "uv": "uv.lock"}
LOCK_TIMEOUT_SECONDS = 300
#: Keeps the package managers from asking questions or drawing progress bars in a hook's output.
QUIET = {"POETRY_NO_INTERACTION": "1", "UV_NO_PROGRESS": "1"}
#: An activated virtualenv would be Poetry's target (and ``poetry sync`` removes what its lock does not
#: list): the project gets its own .venv instead, whoever runs the hook.
FOREIGN_ENVIRONMENT = ("VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYTHONPATH", "PYTHONHOME")


def manager_environment() -> dict[str, str]:
    """This process's environment without an activated virtualenv, quiet, any virtualenv in the project."""
    environment = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENVIRONMENT}
    return {**environment, **QUIET, "POETRY_VIRTUALENVS_IN_PROJECT": "true"}


def find_tool(name: str, search_path: str | None = None) -> str | None:
    """``name`` on PATH (or ``search_path``), else next to the interpreter running the hook (its venv's bin/)."""
    found = shutil.which(name, path=search_path)
    if found or search_path is not None:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def lock_project(project_dir: Path, context: Mapping[str, Any], search_path: str | None = None) -> str:
    """Write ``poetry.lock`` or ``uv.lock`` with the answered package manager; one line saying what happened.

    ``search_path`` is where to look for the package manager (see :func:`find_tool`).
    """
    manager = str(context.get("package_manager") or "poetry")
    lock = LOCK_FILES[manager]
    later = f"cd {project_dir.name} && {manager} lock"
    if (project_dir / lock).is_file():
        return f"lock: {lock} is there already (CI and the Dockerfile install from it)"
    executable = find_tool(manager, search_path)
    if executable is None:
        return f"lock: {lock} not written: {manager} is not installed here. Write it with: {later}"
    venv = project_dir / ".venv"
    had_venv = venv.exists()  # `poetry lock` creates the project's virtualenv (in the project, see manager_environment)
    try:
        result = subprocess.run(
            [executable, "lock"],
            cwd=project_dir,
            env=manager_environment(),
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
        reason = _last_line(result.stderr) or _last_line(result.stdout) or f"exit code {result.returncode}"
        succeeded = result.returncode == 0 and (project_dir / lock).is_file()
    except subprocess.TimeoutExpired:
        reason, succeeded = f"`{manager} lock` took longer than {LOCK_TIMEOUT_SECONDS} s", False
    if succeeded:
        return f"lock: wrote {lock} (commit it: CI and the Dockerfile install exactly what it pins)"
    (project_dir / lock).unlink(missing_ok=True)
    if not had_venv:
        shutil.rmtree(venv, ignore_errors=True)
    return (
        f"lock: {lock} not written: `{manager} lock` could not resolve the dependencies ({reason}). "
        f"Write it where {manager} reaches your package index: {later}"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
