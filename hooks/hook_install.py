"""After a lock was written (``verify=yes``): install the project from it, as the user's next command does.

The lock proves the index is reachable; only an install proves the project installs. Poetry installs with
``poetry sync`` into the project's own ``.venv`` (so a failed generation, which cookiecutter removes whole,
leaves no virtualenv elsewhere, and the user's ``poetry install`` later finds it ready); uv with
``uv sync --locked``. Then the example pipeline and the project's tests run through the package manager,
not through the hook's interpreter. A machine without a Python the project accepts is not a broken project:
Poetry's lock already fails then (it makes .venv), and when uv's install does, the install is skipped with
the command to run later; either way the caller falls back to the hook's interpreter.
Standard library only, like every hook module.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_common import USER_INSTALLS, VerificationError, run_command
from hook_lock import LOCK_FILES, find_tool, manager_environment
from hook_verify import run_example_and_tests

INSTALL_TIMEOUT_SECONDS = 900
#: ``uv python find`` only looks at what is on this machine.
FIND_TIMEOUT_SECONDS = 60
#: How the line starts when the install was skipped (the caller then verifies with the hook's interpreter).
SKIPPED = "install: skipped"


class NoInterpreter(Exception):
    """No Python the project accepts is on this machine; the message says the package manager's reason."""


def install_and_verify(project_dir: Path, context: Mapping[str, Any], search_path: str | None = None) -> str | None:
    """Install from the lock into ``.venv`` and run the example and the tests there; ``None`` if no lock.

    Returns one line saying what ran; when no Python the project accepts is found, the line says so and
    starts with :data:`SKIPPED` (the caller then verifies with the hook's interpreter).
    """
    manager = str(context.get("package_manager") or "poetry")
    lock = LOCK_FILES[manager]
    if not (project_dir / lock).is_file():
        return None
    executable = find_tool(manager, search_path)
    if executable is None:
        return None
    environment = manager_environment()
    venv = project_dir / ".venv"
    existed = venv.exists()
    try:
        _install(manager, executable, project_dir, environment)
    except NoInterpreter as exc:
        if not existed:
            shutil.rmtree(venv, ignore_errors=True)
        return f"{SKIPPED}: {exc}. Install it, then: cd {project_dir.name} && {USER_INSTALLS[manager]}"
    runner = [executable, "run", *(["--locked"] if manager == "uv" else []), "python"]
    try:
        ran = run_example_and_tests(project_dir, str(context["package_name"]), runner, environment)
    finally:
        remove_bytecode_outside(project_dir, venv)
    return f"verify: installed from {lock} into .venv; {ran}"


def remove_bytecode_outside(project_dir: Path, venv: Path) -> None:
    """Remove the ``__pycache__`` the runs left in the project's sources; the .venv keeps its own.

    Bytecode is written during the runs (without it, every run compiles pandas and the rest afresh).
    """
    for directory, subdirectories, _ in os.walk(project_dir):
        if Path(directory) == venv.parent:
            subdirectories[:] = [name for name in subdirectories if name != venv.name]
        if "__pycache__" in subdirectories:
            subdirectories.remove("__pycache__")
            shutil.rmtree(Path(directory, "__pycache__"), ignore_errors=True)


def _install(manager: str, executable: str, project_dir: Path, environment: dict[str, str]) -> None:
    if manager == "poetry":  # `poetry lock` found a Python the project accepts and made .venv with it
        _step([executable, "sync"], project_dir, environment)
        return
    try:
        _step([executable, "sync", "--locked"], project_dir, environment)
    except VerificationError:
        found = run_command([executable, "python", "find"], project_dir, environment, FIND_TIMEOUT_SECONDS)
        if found.returncode != 0:  # the project is fine; this machine lacks the Python its .python-version names
            reason = [line for line in found.stderr.splitlines() if line.strip()][-1:] or ["uv python find failed"]
            raise NoInterpreter(
                f"uv finds no Python the project accepts ({reason[0].removeprefix('error: ')})"
            ) from None
        raise


def _step(command: list[str], project_dir: Path, environment: dict[str, str]) -> None:
    result = run_command(command, project_dir, environment, INSTALL_TIMEOUT_SECONDS)
    if result.returncode != 0:
        shown = " ".join([Path(command[0]).name, *command[1:]])
        output = (result.stdout + result.stderr).strip()
        raise VerificationError(f"`{shown}` failed, so the project does not install from its lock:\n{output[-4000:]}")
