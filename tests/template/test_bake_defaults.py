"""Baking with the default answers gives the documented project, verified by its own hook."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import files_under
from tests.template.conftest import REPO_ROOT

EXPECTED_FILES = [
    ".cruft.json",
    ".dockerignore",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".python-version",
    "Dockerfile",
    "LICENSE",
    "README.md",
    "conf/logging.ini",
    "conf/param.ini",
    "kart_pipeline/__init__.py",
    "kart_pipeline/data/iris.csv",
    "kart_pipeline/model/__init__.py",
    "kart_pipeline/model/sample.py",
    "kart_pipeline/py.typed",
    "kart_pipeline/utils/__init__.py",
    "kart_pipeline/utils/template.py",
    "main.py",
    "pyproject.toml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_pipeline.py",
    "tests/test_sample.py",
]


def test_defaults_give_the_documented_file_set_and_pass_verification(cookies, capfd) -> None:
    result = cookies.bake(template=str(REPO_ROOT))
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    assert project.name == "kart-pipeline"
    files = files_under(project)
    assert [name for name in files if not name.startswith("vendor/")] == EXPECTED_FILES
    assert "verify: the pipeline ran and the tests passed" in capfd.readouterr().out
    assert not (project / "resources").exists()
    assert not list(project.rglob("__pycache__"))
