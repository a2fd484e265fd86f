"""Helpers for the end-to-end tests of a generated project: bake it, drive Poetry, linters and podman.

Everything runs as real subprocesses, with a clean environment (no ``PYTEST_*``, ``POETRY_*`` or
``PYTHON*`` variables leak in from the outer test run) and with this interpreter's ``bin/`` first on
``PATH``, where ``pip install -e '.[dev]'`` put poetry, actionlint, shellcheck, zizmor and hadolint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
USE_PIP_INDEX = HERE / "poetry" / "use-pip-index.sh"
MAKE_BASE_IMAGE = HERE / "container" / "make-python-base-image.sh"
PODMAN_FLAGS = HERE / "container" / "podman-flags.sh"
TOOLS_BIN = Path(sys.executable).parent
DEFAULT_TIMEOUT = 600


def environment(**extra: str) -> dict[str, str]:
    """os.environ without the outer run's pytest/Poetry/Python settings, the dev tools first on PATH."""
    dropped = ("PYTEST_", "POETRY_", "PYTHON", "VIRTUAL_ENV", "COV_CORE_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env["PATH"] = os.pathsep.join([str(TOOLS_BIN), env.get("PATH", os.defpath)])
    env.update(extra)
    return env


def run(
    command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a command to the end and capture its output (never raises on a non-zero exit)."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env if env is not None else environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """An assertion message: the command, its exit code and the tail of both streams."""
    return (
        f"`{' '.join(map(str, result.args))}` exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
    )


def tool(name: str) -> str:
    """The path of a command-line tool that the dev extra installs; fail (not skip) when it is missing."""
    found = shutil.which(name, path=environment()["PATH"])
    if found is None:
        pytest.fail(f"`{name}` is not installed: run `pip install -e '.[dev]'` (scripts/test does)")
    return found


# ----- baking -------------------------------------------------------------------------------------


def bake(workdir: Path, **extra_context: str) -> Path:
    """Generate a project from this repository with the default answers (plus ``extra_context``).

    A private cookiecutter config keeps replay files and cloned templates out of the user's home.
    """
    from cookiecutter.main import cookiecutter

    config = workdir / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{workdir / "cookiecutters"}"\nreplay_dir: "{workdir / "replay"}"\n', encoding="utf-8"
    )
    project = cookiecutter(
        str(REPO_ROOT),
        no_input=True,
        output_dir=str(workdir / "out"),
        config_file=str(config),
        extra_context=dict(extra_context),
    )
    return Path(project)


# ----- Poetry ---------------------------------------------------------------------------------------


@dataclass
class PoetryProject:
    """A copy of a generated project with its own in-project ``.venv``, driven through ``poetry``."""

    root: Path
    package: str
    home: Path
    poetry: str = field(default_factory=lambda: tool("poetry"))

    def env(self) -> dict[str, str]:
        """Poetry's config, cache and data in ``home``, the venv in the project, never a prompt."""
        return environment(
            POETRY_VIRTUALENVS_IN_PROJECT="true",
            POETRY_CACHE_DIR=str(self.home / "cache"),
            POETRY_CONFIG_DIR=str(self.home / "config"),
            POETRY_DATA_DIR=str(self.home / "data"),
            POETRY_NO_INTERACTION="1",
            POETRY_KEYRING_ENABLED="false",
        )

    def __call__(self, *args: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """``poetry ARGS`` in the project."""
        return run([self.poetry, *args], cwd=self.root, env=self.env(), timeout=timeout)

    def script(self, script: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """A shell script run in the project, with Poetry's environment and ``poetry`` on PATH."""
        return run(["bash", script, *args], cwd=self.root, env=self.env())

    def main(self, task: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``poetry run python main.py TASK --local-scheduler ARGS``, as the README says."""
        return self("run", "python", "main.py", f"{self.package}.{task}", "--local-scheduler", *args)

    def outputs(self, task: str) -> list[Path]:
        """The cached outputs of a task of ``<package>/model/sample.py`` in the default workspace."""
        return sorted((self.root / "resources" / self.package / "model" / "sample").glob(f"{task}_*.pkl"))


# ----- podman ---------------------------------------------------------------------------------------


def podman_flags() -> dict[str, list[str]]:
    """PODMAN_GLOBAL, PODMAN_BUILD and PODMAN_RUN as the copied ``podman-flags.sh`` sets them.

    PODMAN_RUN holds ``--ulimit`` flags within this process's hard limits: ``podman run`` asks for
    nofile=1048576 and nproc=32768, and without CAP_SYS_RESOURCE (this workplace's sandbox) runc then
    dies with "error setting rlimit type 7: operation not permitted".
    """
    flags = {}
    for name in ("PODMAN_GLOBAL", "PODMAN_BUILD", "PODMAN_RUN"):
        printed = run(
            ["bash", "-c", f'source "$0" && printf "%s\\0" "${{{name}[@]}}"', PODMAN_FLAGS], cwd=HERE, timeout=30
        )
        assert printed.returncode == 0, explain(printed)
        flags[name] = [flag for flag in printed.stdout.split("\0") if flag]
    return flags


@dataclass
class Podman:
    """podman with this workplace's flags (runc, host network, CA bundle, never pull)."""

    executable: str
    flags: dict[str, list[str]]

    def __call__(self, *args: str | Path, timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return run([self.executable, *self.flags["PODMAN_GLOBAL"], *args], cwd=HERE, timeout=timeout)

    def build(self, context: Path, tag: str) -> subprocess.CompletedProcess[str]:
        """Build ``context``'s Dockerfile; ``--layers=false`` leaves no intermediate images behind."""
        return self("build", *self.flags["PODMAN_BUILD"], "--layers=false", "--tag", tag, context)

    def run_container(self, image: str, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a throwaway container of ``image`` (its CMD unless ``command`` is given)."""
        return self("run", *self.flags["PODMAN_RUN"], image, *command, timeout=300)


def start_podman() -> Podman:
    """podman with this workplace's flags and the local ``python:3.11-slim`` stand-in (made if missing)."""
    executable = shutil.which("podman")
    if executable is None or shutil.which("runc") is None:
        pytest.skip("podman/runc are not installed: apt-get install -y podman runc debootstrap (.ci/run does)")
    made = run(["bash", MAKE_BASE_IMAGE], cwd=MAKE_BASE_IMAGE.parent, timeout=1200)
    assert made.returncode == 0, explain(made)
    return Podman(executable, podman_flags())


@contextmanager
def built_image(podman: Podman, context: Path, name: str) -> Iterator[str]:
    """The image of ``context``'s Dockerfile under a fresh tag, removed afterwards."""
    tag = f"localhost/{name}-{uuid.uuid4().hex[:12]}:test"
    try:
        built = podman.build(context, tag)
        assert built.returncode == 0, explain(built)
        yield tag
    finally:
        podman("rmi", "--force", tag)
