"""hooks/hook_lock.py: the lock file written after generation with the real package managers, and the
one-line message with the command to run when it cannot be written (no index, no tool, no checks asked).

Poetry asks the package index for JSON, which this workplace's index may not serve: its successful lock is
tested the way tests/e2e/poetry/use-pip-index.sh says, on a copy with that index as a legacy source.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hook_lock
import pytest

from tests.template.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
USE_PIP_INDEX = REPO_ROOT / "tests/e2e/poetry/use-pip-index.sh"
#: A port nothing listens on: an index that cannot be reached, for real.
DEAD_INDEX = "http://127.0.0.1:9/simple"


@pytest.fixture(autouse=True)
def private_tool_homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uv and Poetry keep their caches under the test's directory and use this interpreter (no downloads)."""
    home = tmp_path / "homes"
    for name, value in {
        "UV_CACHE_DIR": home / "uv",
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "POETRY_CACHE_DIR": home / "poetry-cache",
        "POETRY_CONFIG_DIR": home / "poetry-config",
        "POETRY_DATA_DIR": home / "poetry-data",
        "POETRY_KEYRING_ENABLED": "false",
    }.items():
        monkeypatch.setenv(name, str(value))


def bake(cookies: Any, **answers: str) -> Path:
    result = cookies.bake(extra_context={"verify": "no", **answers}, template=str(REPO_ROOT))
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


def context(project: Path) -> dict[str, Any]:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]


def tool(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=project, capture_output=True, text=True, timeout=300
    )


def test_uv_writes_a_lock_that_uv_then_accepts(cookies) -> None:
    project = bake(cookies, package_manager="uv")
    message = hook_lock.lock_project(project, context(project), search_path=str(BIN))
    assert message == "lock: wrote uv.lock (commit it: CI and the Dockerfile install exactly what it pins)"
    check = tool(project, "uv", "lock", "--check")
    assert check.returncode == 0, check.stderr
    assert 'source = { directory = "vendor/gokart-core" }' in (project / "uv.lock").read_text(encoding="utf-8")


def test_uv_without_a_reachable_index_says_which_command_writes_the_lock(cookies, monkeypatch) -> None:
    project = bake(cookies, package_manager="uv")
    monkeypatch.setenv("UV_DEFAULT_INDEX", DEAD_INDEX)
    message = hook_lock.lock_project(project, context(project), search_path=str(BIN))
    assert message.startswith("lock: uv.lock not written: `uv lock` could not resolve the dependencies (")
    assert message.endswith("Write it where uv reaches your package index: cd kart-pipeline && uv lock")
    assert not (project / "uv.lock").exists()


def poetry_copy(project: Path, tmp_path: Path, index: str | None = None) -> Path:
    """A copy of the project with a legacy Poetry source: this workplace's index, or ``index``."""
    copy = tmp_path / "poetry-copy" / project.name
    shutil.copytree(project, copy)
    if index is None:
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}
        added = subprocess.run(
            ["bash", USE_PIP_INDEX, sys.executable], cwd=copy, capture_output=True, text=True, env=env
        )
    else:
        added = tool(copy, "poetry", "source", "add", "--priority=primary", "unreachable", index)
    assert added.returncode == 0, added.stdout + added.stderr
    return copy


def test_poetry_writes_a_lock_that_poetry_then_accepts(cookies, tmp_path: Path) -> None:
    project = poetry_copy(bake(cookies), tmp_path)
    message = hook_lock.lock_project(project, context(project), search_path=str(BIN))
    assert message == "lock: wrote poetry.lock (commit it: CI and the Dockerfile install exactly what it pins)"
    check = tool(project, "poetry", "check", "--lock")
    assert check.returncode == 0, check.stdout + check.stderr


def test_poetry_without_a_reachable_index_says_which_command_writes_the_lock(cookies, tmp_path: Path) -> None:
    project = poetry_copy(bake(cookies), tmp_path, index=DEAD_INDEX)
    message = hook_lock.lock_project(project, context(project), search_path=str(BIN))
    assert message.startswith("lock: poetry.lock not written: `poetry lock` could not resolve the dependencies (")
    assert message.endswith("Write it where poetry reaches your package index: cd kart-pipeline && poetry lock")
    assert not (project / "poetry.lock").exists()
    assert not (project / ".venv").exists()  # `poetry lock` made it; the failed lock removes it
    virtualenvs = Path(os.environ["POETRY_CACHE_DIR"]) / "virtualenvs"
    assert not virtualenvs.exists() or list(virtualenvs.iterdir()) == []  # and none elsewhere


@pytest.mark.parametrize("manager", ["poetry", "uv"])
def test_a_missing_package_manager_is_named_with_the_command(cookies, tmp_path: Path, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    message = hook_lock.lock_project(project, context(project), search_path=str(empty))
    lock = hook_lock.LOCK_FILES[manager]
    command = f"cd kart-pipeline && {manager} lock"
    assert message == f"lock: {lock} not written: {manager} is not installed here. Write it with: {command}"
    assert not (project / lock).exists()


def test_the_tool_is_found_next_to_the_interpreter_when_not_on_path(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert hook_lock.find_tool("uv") == str(BIN / "uv")
    assert hook_lock.find_tool("uv", search_path="/nonexistent") is None


@pytest.mark.parametrize("manager", ["poetry", "uv"])
def test_without_checks_nothing_is_locked(cookies, capfd, manager: str) -> None:
    """verify=no asks for a quick generation: no index is asked; the README and the Dockerfile name the command."""
    project = bake(cookies, package_manager=manager)
    assert "lock:" not in capfd.readouterr().out
    assert not (project / hook_lock.LOCK_FILES[manager]).exists()


def test_generation_with_checks_writes_uv_lock(cookies, capfd) -> None:
    project = bake(cookies, package_manager="uv", verify="yes")
    out = capfd.readouterr().out
    assert "verify: installed from uv.lock into .venv; the pipeline ran and the tests passed" in out
    assert "lock: wrote uv.lock" in out
    assert (project / "uv.lock").is_file()
    assert tool(project, "uv", "lock", "--check").returncode == 0


def test_generation_with_checks_writes_poetry_lock_or_names_the_command(cookies, capfd) -> None:
    """Whether Poetry reaches this workplace's index decides which; either way the message is one of the two."""
    project = bake(cookies, verify="yes")
    lines = [line for line in capfd.readouterr().out.splitlines() if line.startswith("lock: ")]
    assert len(lines) == 1, lines
    if (project / "poetry.lock").is_file():
        assert lines[0].startswith("lock: wrote poetry.lock")
    else:
        assert lines[0].endswith("cd kart-pipeline && poetry lock")
