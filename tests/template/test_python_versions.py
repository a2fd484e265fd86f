"""The Python versions the template offers are exactly those gokart-core allows, and 3.14 is luigi's cap.

luigi declares ``requires-python <3.14``, so no project on kartcore can install on Python 3.14 until luigi
lifts that cap; gokart-core repeats it, the template offers every minor version in between, and the
generated project's ``requires-python`` starts at the chosen one. When luigi lifts the cap, the first test
here fails: offer the new version then (cookiecutter.json, hooks/hook_answers.py, README).
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import hook_answers
import pytest
import tomllib
from cookiecutter.main import cookiecutter
from packaging.specifiers import SpecifierSet

from tests.template.conftest import REPO_ROOT, cookiecutter_env

OFFERED = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))["python_version"]
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
GOKART_CORE = SpecifierSet(PROJECT["requires-python"])
CANDIDATES = [f"3.{minor}" for minor in range(30)]


def minor(version: str) -> int:
    return int(version.split(".")[1])


def allowed(specifier: SpecifierSet) -> list[str]:
    """The minor versions 3.0 .. 3.29 that ``specifier`` lets install, in order."""
    return [version for version in CANDIDATES if specifier.contains(f"{version}.0")]


def test_luigi_caps_python_below_3_14_and_gokart_core_follows_it() -> None:
    luigi = SpecifierSet(metadata.metadata("luigi")["Requires-Python"])
    assert "3.14" not in allowed(luigi)
    assert "3.13" in allowed(luigi)
    assert max(allowed(GOKART_CORE), key=minor) == max(allowed(luigi), key=minor)


def test_the_offered_versions_are_exactly_what_gokart_core_allows() -> None:
    assert sorted(OFFERED) == sorted(allowed(GOKART_CORE)) == sorted(hook_answers.SUPPORTED_PYTHON)
    assert "3.14" not in OFFERED


@pytest.mark.parametrize("chosen", ["3.10", "3.13"])
def test_the_project_allows_the_chosen_version_and_the_later_offered_ones(tmp_path: Path, chosen: str) -> None:
    config = Path(cookiecutter_env(tmp_path)["COOKIECUTTER_CONFIG"])
    project = Path(
        cookiecutter(
            str(REPO_ROOT),
            no_input=True,
            output_dir=str(tmp_path / "out"),
            config_file=str(config),
            extra_context={"python_version": chosen, "verify": "no"},
        )
    )
    requires = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    later = [version for version in allowed(GOKART_CORE) if minor(version) >= minor(chosen)]
    assert allowed(SpecifierSet(requires)) == later
