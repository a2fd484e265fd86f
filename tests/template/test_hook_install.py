"""hooks/hook_install.py: with a lock written, ``verify=yes`` installs the project from it, as the user's next
command does, and runs the example and the tests through the package manager (Poetry and uv alike).

Poetry is given this workplace's index as a legacy source on a copy (tests/e2e/poetry/use-pip-index.sh), as in
test_hook_lock.py. Bad inputs: a lock out of step with pyproject.toml, no Python the project accepts, tests that
fail, an activated virtualenv (never Poetry's target), and an install refused during a real ``kart new``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import checks
import hook_install
import hook_lock
import pytest
from hook_common import VerificationError

from tests.template.conftest import cookiecutter_env, run_tool
from tests.template.test_hook_lock import BIN, bake, context, poetry_copy, private_tool_homes, tool

pytestmark = pytest.mark.slow
__all__ = ["private_tool_homes"]  # the autouse fixture: private caches for uv and Poetry, this interpreter

MANAGERS = ["poetry", "uv"]
INSTALLED = re.compile(
    r"^verify: installed from (poetry|uv)\.lock into \.venv; the pipeline ran and the tests passed \(\d+ passed"
)


def locked(cookies, tmp_path: Path, manager: str) -> Path:
    """A generated project (verify=no) with the lock the hook writes."""
    project = bake(cookies, package_manager=manager)
    if manager == "poetry":
        project = poetry_copy(project, tmp_path)
    message = hook_lock.lock_project(project, context(project), search_path=str(BIN))
    assert message.startswith("lock: wrote"), message
    return project


def venv_python(project: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project / ".venv/bin/python"), "-c", code], cwd=project, capture_output=True, text=True, env={}
    )


def left_in_sources(project: Path) -> list[str]:
    """What the runs may leave outside .venv: bytecode, outputs, pytest's cache."""
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if ".venv" not in path.relative_to(project).parts
        and (path.name in ("__pycache__", ".pytest_cache", "resources") or path.suffix == ".pyc")
    )


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_project_installs_from_its_lock_and_runs_there(cookies, tmp_path: Path, manager: str, monkeypatch) -> None:
    project = locked(cookies, tmp_path, manager)
    foreign = tmp_path / "activated"  # the user's activated virtualenv, which `poetry sync` would empty
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(foreign)], check=True)
    before = sorted(path.name for path in foreign.rglob("*"))
    monkeypatch.setenv("VIRTUAL_ENV", str(foreign))

    message = hook_install.install_and_verify(project, context(project), search_path=str(BIN))

    assert message is not None and INSTALLED.match(message), message
    assert message.startswith(f"verify: installed from {hook_lock.LOCK_FILES[manager]}")
    assert left_in_sources(project) == []
    imported = venv_python(project, "import kart_pipeline, kartcore; print(kartcore.__file__)")
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(project / ".venv")  # installed, not the template's checkout
    assert sorted(path.name for path in foreign.rglob("*")) == before
    virtualenvs = Path(os.environ["POETRY_CACHE_DIR"]) / "virtualenvs"
    assert not virtualenvs.exists() or list(virtualenvs.iterdir()) == []  # no virtualenv outside the project
    # what the user does next works as it is: the project's environment is the one the manager uses
    monkeypatch.delenv("VIRTUAL_ENV")
    again = tool(project, manager, "run", "python", "-c", "import kart_pipeline")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize("manager", MANAGERS)
def test_a_lock_out_of_step_with_pyproject_fails_verification(cookies, tmp_path: Path, manager: str) -> None:
    project = locked(cookies, tmp_path, manager)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('    "gokart-core",\n', '    "gokart-core",\n    "six",\n', 1),
        encoding="utf-8",
    )
    with pytest.raises(VerificationError) as raised:
        hook_install.install_and_verify(project, context(project), search_path=str(BIN))
    command = "uv sync --locked" if manager == "uv" else "poetry sync"
    assert str(raised.value).startswith(f"`{command}` failed, so the project does not install from its lock:\n")
    assert "lock" in str(raised.value).split("\n", 1)[1].lower(), raised.value  # the manager's own reason follows


def test_failing_tests_fail_verification_through_the_manager(cookies, tmp_path: Path) -> None:
    project = locked(cookies, tmp_path, "uv")
    (project / "tests" / "test_broken.py").write_text("def test_broken() -> None:\n    assert 1 == 2\n")
    with pytest.raises(VerificationError, match=r"^the project's tests failed:\n(.|\n)*test_broken"):
        hook_install.install_and_verify(project, context(project), search_path=str(BIN))
    assert left_in_sources(project) == []


def test_uv_without_the_python_the_project_names_skips_the_install(cookies, tmp_path: Path, monkeypatch) -> None:
    project = locked(cookies, tmp_path, "uv")
    monkeypatch.delenv("UV_PYTHON")
    (project / ".python-version").write_text("3.12.99\n", encoding="utf-8")
    message = hook_install.install_and_verify(project, context(project), search_path=str(BIN))
    assert message is not None and message.startswith("install: skipped: uv finds no Python the project accepts ("), (
        message
    )
    assert "3.12.99" in message
    assert message.endswith("Install it, then: cd kart-pipeline && uv sync")
    assert not (project / ".venv").exists()


def test_poetry_without_an_accepted_python_locks_nothing_and_verifies_with_the_hooks_python(
    cookies, tmp_path: Path, monkeypatch, capsys
) -> None:
    """`poetry lock` makes the project's .venv, so it is the step that finds no Python 3.13 here."""
    if sys.version_info[:2] >= (3, 13):
        pytest.skip("needs an interpreter older than the project's minimum (3.13)")
    project = poetry_copy(bake(cookies, python_version="3.13"), tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no python3.13 to be found; poetry is found beside this interpreter
    monkeypatch.setenv("PYENV_ROOT", str(empty))  # nor in pyenv's versions, where Poetry also looks
    answers = {key: value for key, value in context(project).items() if key != "_commit"}  # as cookiecutter gives
    checks.verify(project, {**answers, "verify": "yes"})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines
    assert lines[1].startswith("lock: poetry.lock not written: `poetry lock` could not resolve the dependencies (")
    assert "compatible" in lines[1] and lines[1].endswith("cd kart-pipeline && poetry lock")
    assert lines[2].startswith("verify: the pipeline ran and the tests passed (")
    assert not (project / ".venv").exists()
    assert not (project / "poetry.lock").exists()


def test_an_install_refused_during_kart_new_fails_generation_and_leaves_nothing(tmp_path: Path) -> None:
    """uv refuses to build the bundled runtime (UV_NO_BUILD), after `uv lock` succeeded: no project is left."""
    env = {**cookiecutter_env(tmp_path), "UV_NO_BUILD": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = run_tool(
        "kart", "new", "--no-input", "-o", "out", "package_manager=uv", "verify=yes", cwd=tmp_path, env=env
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "lock: wrote uv.lock" in result.stdout
    assert "the generated project failed verification: `uv sync --locked` failed" in result.stderr
    assert "gokart-core" in result.stderr and "--no-build" in result.stderr  # uv's own reason
    assert not (tmp_path / "out" / "kart-pipeline").exists()
