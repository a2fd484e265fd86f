"""``pipx install gokart-core && kart new``, for real: the wheel alone carries the template.

The template sits at the repository root; the build maps it into the wheel (and the sdist keeps it, so a
wheel built from the sdist has it too). The wheel is built from this repository and installed (with its
dependencies from the package index, plus pytest for the verification) into a fresh virtualenv that knows
nothing of the checkout. ``kart new --no-input`` then runs there from an unrelated directory: the hooks bundle
the installed kartcore (without the template) with a pyproject written from the installed distribution's
metadata, and verify the project (pipeline and tests). ``kart add task`` follows, and the project's tests and
ruff pass again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.conftest import VERIFIED
from tests.e2e.generated_project import REPO_ROOT, environment, explain, run
from tests.template.conftest import PACKAGED_TEMPLATE, TEMPLATE_FILES

pytestmark = pytest.mark.slow

RUFF = Path(sys.executable).with_name("ruff")
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def template_files() -> set[str]:
    """The root template's files (no bytecode), relative to the root: what the wheel must carry."""
    names = set()
    for top in TEMPLATE_FILES:
        path = REPO_ROOT / top
        files = [path] if path.is_file() else [item for item in path.rglob("*") if item.is_file()]
        names.update(
            str(item.relative_to(REPO_ROOT))
            for item in files
            if "__pycache__" not in item.parts and item.suffix != ".pyc"
        )
    return names


def fresh_env(venv: Path, **extra: str) -> dict[str, str]:
    """The outer run's environment without its venv: the fresh one's bin first, no PYTHONPATH."""
    env = environment(**extra)
    outer = str(Path(sys.executable).parent)
    others = [part for part in env["PATH"].split(os.pathsep) if part != outer]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *others])
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, REPO_ROOT], cwd=out
    )
    assert built.returncode == 0, explain(built)
    (path,) = out.glob("gokart_core-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with only the wheel (and its dependencies) and pytest installed."""
    root = tmp_path_factory.mktemp("fresh") / "venv"
    made = run([sys.executable, "-m", "venv", root], cwd=root.parent)
    assert made.returncode == 0, explain(made)
    installed = run([root / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, "pytest"], cwd=root.parent)
    assert installed.returncode == 0, explain(installed)
    return root


@pytest.fixture(scope="module")
def generated(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``kart new --no-input`` from a directory that has nothing to do with the checkout."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    home = elsewhere / "home"
    home.mkdir()
    result = run(
        [venv / "bin" / "kart", "new", "--no-input", "-o", "projects"],
        cwd=elsewhere,
        env=fresh_env(venv, HOME=str(home)),
    )
    return elsewhere / "projects" / "kart-pipeline", result


def packaged(names: list[str]) -> set[str]:
    """The template files among a wheel's names, relative to the template."""
    return {name.removeprefix(f"{PACKAGED_TEMPLATE}/") for name in names if name.startswith(f"{PACKAGED_TEMPLATE}/")}


def test_the_wheel_carries_the_root_template_as_package_data_and_no_bytecode(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    template = packaged(names)
    assert template == template_files()
    assert "{{cookiecutter.project_name}}/.github/workflows/ci.yml" in template
    assert "{{cookiecutter.project_name}}/.dockerignore" in template
    assert "hooks/hook_answers.py" in template
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"kartcore", wheel.name.split("-py3")[0] + ".dist-info"}  # nothing else at the top


def test_the_sdist_keeps_the_template_at_the_root_and_its_wheel_carries_it(tmp_path: Path) -> None:
    code = f"import hatchling.build as b; print(b.build_sdist({str(tmp_path)!r}))"
    built = run([sys.executable, "-c", code], cwd=REPO_ROOT)
    assert built.returncode == 0, explain(built)
    sdist = tmp_path / built.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (source,) = (tmp_path / "unpacked").iterdir()
    assert template_files() <= {str(path.relative_to(source)) for path in source.rglob("*") if path.is_file()}
    rebuilt = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "wheel", source],
        cwd=tmp_path,
    )
    assert rebuilt.returncode == 0, explain(rebuilt)
    (wheel,) = (tmp_path / "wheel").glob("gokart_core-*.whl")
    assert packaged(zipfile.ZipFile(wheel).namelist()) == template_files()


def test_the_installed_kart_is_the_wheels_and_import_kartcore_stays_light(venv: Path) -> None:
    code = (
        "import sys, kartcore; print(kartcore.__file__); "
        "print(sorted(name for name in ('click', 'cookiecutter', 'jinja2', 'kartcore.cli') if name in sys.modules))"
    )
    result = run([venv / "bin" / "python", "-c", code], cwd=venv, env=fresh_env(venv))
    assert result.returncode == 0, explain(result)
    location, imported = result.stdout.splitlines()
    assert Path(location).is_relative_to(venv)
    assert imported == "[]"


def test_kart_new_generates_and_verifies_the_project(generated: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    project, result = generated
    assert result.returncode == 0, explain(result)
    assert VERIFIED.search(result.stdout), explain(result)
    assert f"Created {project}" in result.stdout
    record = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert not os.path.isabs(record["template"])
    assert record["context"]["cookiecutter"]["package_name"] == "kart_pipeline"


def test_the_vendored_runtime_is_the_installed_package_without_the_template(
    venv: Path, generated: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    project, _ = generated
    (installed,) = venv.glob("lib/python*/site-packages/kartcore")
    vendored = project / "vendor" / "gokart-core"

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    expected = {name: content for name, content in files(installed).items() if not name.startswith("templates/")}
    assert files(vendored / "kartcore") == expected
    assert (vendored / "LICENSE").read_bytes() == (REPO_ROOT / "LICENSE").read_bytes()


def test_the_vendored_pyproject_has_the_repository_name_version_and_dependencies(
    generated: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    project, _ = generated
    vendored = tomllib.loads((project / "vendor" / "gokart-core" / "pyproject.toml").read_text(encoding="utf-8"))
    table = vendored["project"]
    for key in ("name", "version", "scripts"):
        assert table[key] == PROJECT[key], key
    # the wheel's metadata orders the clauses its own way (<3.14,>=3.10): the same range
    assert SpecifierSet(table["requires-python"]) == SpecifierSet(PROJECT["requires-python"])
    runtime = [item for item in PROJECT["dependencies"] if not item.startswith("cookiecutter")]
    assert sorted(map(by_meaning, table["dependencies"])) == sorted(map(by_meaning, runtime))
    extras = {name: sorted(map(by_meaning, items)) for name, items in PROJECT["optional-dependencies"].items()}
    del extras["dev"]
    assert {name: sorted(map(by_meaning, items)) for name, items in table["optional-dependencies"].items()} == extras


def by_meaning(requirement: str) -> tuple[str, str, str]:
    """A requirement as installers read it (the wheel's metadata spells typing_extensions typing-extensions)."""
    parsed = Requirement(requirement)
    return canonicalize_name(parsed.name), str(parsed.specifier), str(parsed.marker or "")


def test_kart_add_task_in_the_generated_project_keeps_its_tests_and_ruff_green(
    venv: Path, generated: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    project, _ = generated
    env = fresh_env(venv)
    for args in (["Features"], ["Model", "--requires", "Features"], ["Report", "--requires", "Evaluate"]):
        added = run([venv / "bin" / "kart", "add", "task", *args], cwd=project / "kart_pipeline", env=env)
        assert added.returncode == 0, explain(added)
    paths = os.pathsep.join([str(project / "vendor" / "gokart-core"), str(project)])
    tests = run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env={**env, "PYTHONPATH": paths, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert tests.returncode == 0, explain(tests)
    assert "16 passed" in tests.stdout, explain(tests)
    lint = run([RUFF, "check", "--no-cache", "."], cwd=project)
    assert lint.returncode == 0, explain(lint)
