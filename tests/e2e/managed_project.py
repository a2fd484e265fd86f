"""A generated project driven through its package manager (Poetry or uv), the way its README and CI drive it.

Both kinds answer the same calls, so one test checks both: ``project("lock")`` runs the manager itself,
``project.run("pytest")`` a tool in the project's environment (``poetry run`` / ``uv run --locked``),
``project.main("Sample")`` the pipeline. Everything is a real subprocess with the manager's cache and
config kept under the test's own directory.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tests.e2e.generated_project import DEFAULT_TIMEOUT, PoetryProject, environment, run, tool

MANAGERS = ("poetry", "uv")
LOCK_FILES = {"poetry": "poetry.lock", "uv": "uv.lock"}
#: What the generated CI runs in the project's environment, each prefixed by ``poetry run`` / ``uv run --locked``.
CHECKS = {
    "ruff": ["ruff", "check", "."],
    "ruff-format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],
    "mypy-strict": ["mypy", "--strict"],
    "pytest": ["pytest", "-W", "error", "-p", "no:cacheprovider"],
}


class ManagedProject(Protocol):
    """A generated project with its own ``.venv``, installed from its lock file."""

    root: Path
    package: str
    manager: str

    def env(self) -> dict[str, str]:
        """The environment every command runs in: the manager's cache and config under the test's directory."""
        ...

    def __call__(self, *args: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """The package manager itself (``poetry ARGS`` / ``uv ARGS``) in the project."""
        ...

    def run(self, *command: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """A command in the project's environment."""
        ...

    def main(self, task: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``python main.py <package>.TASK --local-scheduler ARGS`` in the project's environment."""
        ...

    def outputs(self, task: str) -> list[Path]:
        """The cached outputs of a task of ``<package>/model/sample.py`` in the default workspace."""
        ...


@dataclass
class ManagedPoetryProject(PoetryProject):
    """:class:`PoetryProject` with the calls every managed project answers."""

    manager: str = "poetry"

    def env(self) -> dict[str, str]:
        """Poetry's settings (see :class:`PoetryProject`), and pre-commit's cache under ``home`` too."""
        return {**super().env(), "PRE_COMMIT_HOME": str(self.home / "pre-commit")}

    def run(self, *command: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return self("run", *command, timeout=timeout)


@dataclass
class UvProject:
    """A copy of a generated uv project with its own ``.venv``, driven through ``uv``.

    uv runs on ``python`` (this interpreter unless given; never downloads one), with its cache (and
    pre-commit's) under ``home``.
    """

    root: Path
    package: str
    home: Path
    manager: str = "uv"
    uv: str = field(default_factory=lambda: tool("uv"))
    python: str = sys.executable

    def env(self) -> dict[str, str]:
        return environment(
            UV_CACHE_DIR=str(self.home / "cache"),
            UV_PYTHON=self.python,
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
            PRE_COMMIT_HOME=str(self.home / "pre-commit"),
        )

    def __call__(self, *args: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return run([self.uv, *args], cwd=self.root, env=self.env(), timeout=timeout)

    def run(self, *command: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return self("run", "--locked", *command, timeout=timeout)

    def main(self, task: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("python", "main.py", f"{self.package}.{task}", "--local-scheduler", *args)

    def outputs(self, task: str) -> list[Path]:
        return sorted((self.root / "resources" / self.package / "model" / "sample").glob(f"{task}_*.pkl"))


def managed(manager: str, root: Path, package: str, home: Path) -> ManagedProject:
    """The project at ``root`` driven through ``manager``."""
    if manager == "poetry":
        return ManagedPoetryProject(root=root, package=package, home=home)
    return UvProject(root=root, package=package, home=home)
