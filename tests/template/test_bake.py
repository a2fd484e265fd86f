"""Bake the template with pytest-cookies: every choice, the generated files, and the refusal of bad answers."""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml
from cookiecutter.main import cookiecutter

from tests.conftest import VERIFIED, files_under
from tests.template.conftest import REPO_ROOT, TEMPLATE_ROOT

RUFF = Path(sys.executable).with_name("ruff")
VENDOR = "vendor/gokart-core"

PROJECT_FILES = [
    ".cruft.json",
    ".dockerignore",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".python-version",
    "Dockerfile",
    "LICENSE",
    "README.md",
    "conf/logging.ini",
    "conf/luigid.cfg",
    "conf/param.ini",
    "deploy/kubernetes/dask.yaml",
    "deploy/kubernetes/luigid.yaml",
    "deploy/kubernetes/workers-job.yaml",
    "kart_pipeline/__init__.py",
    "kart_pipeline/data/iris.csv",
    "kart_pipeline/model/__init__.py",
    "kart_pipeline/model/sample.py",
    "kart_pipeline/py.typed",
    "kart_pipeline/utils/__init__.py",
    "kart_pipeline/utils/template.py",
    "main.py",
    "notebooks/explore.ipynb",
    "pyproject.toml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_pipeline.py",
    "tests/test_sample.py",
]
LICENSE_TITLES = {"MIT": "MIT License", "Apache-2.0": "Apache License", "BSD-3-Clause": "BSD 3-Clause License"}


def bake(cookies: Any, **answers: str) -> Path:
    """Bake with the given answers (verify=no unless asked) and return the project, which must exist."""
    result = cookies.bake(extra_context={"verify": "no", **answers}, template=str(REPO_ROOT))
    assert result.exit_code == 0, result.exception
    assert result.exception is None
    return Path(result.project_path)


def runtime_files() -> list[str]:
    """The files bundle_runtime() copies: the kartcore package without bytecode."""
    root = REPO_ROOT / "kartcore"
    return sorted(
        f"{VENDOR}/kartcore/{name}"
        for name in files_under(root)
        if "__pycache__" not in Path(name).parts and not name.endswith(".pyc")
    )


def leftovers(tmp_path: Path) -> list[str]:
    """Whatever a refused bake left under pytest-cookies' output (its own empty bakeNN directories aside)."""
    cookies_dir = tmp_path / "cookies"
    if not cookies_dir.exists():
        return []
    return sorted(
        str(path.relative_to(cookies_dir))
        for path in cookies_dir.rglob("*")
        if not (path.parent == cookies_dir and path.is_dir() and re.fullmatch(r"bake\d\d", path.name))
    )


def pyproject(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def ruff_check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RUFF), "check", "--no-cache", "."], cwd=project, capture_output=True, text=True, timeout=60
    )


# ----- each answer --------------------------------------------------------------------------------


@pytest.mark.parametrize("license_id", ["MIT", "Apache-2.0", "BSD-3-Clause"])
def test_an_open_license_gives_a_license_file_naming_it_and_the_author(cookies, license_id: str) -> None:
    year = datetime.now(timezone.utc).year
    project = bake(cookies, license=license_id, author="Ada Lovelace")
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert LICENSE_TITLES[license_id] in text
    assert "Ada Lovelace" in text
    assert str(year) in text or str(datetime.now(timezone.utc).year) in text  # a bake across New Year
    table = pyproject(project)["project"]
    assert table["license"] == license_id
    assert table["license-files"] == ["LICENSE"]
    assert table["authors"] == [{"name": "Ada Lovelace", "email": "you@example.com"}]
    assert f"## License\n\n{license_id}, see `LICENSE`." in (project / "README.md").read_text(encoding="utf-8")


def test_proprietary_gives_no_license_file_and_no_license_field(cookies) -> None:
    project = bake(cookies, license="Proprietary")
    assert not (project / "LICENSE").exists()
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert not re.search(r"^license", text, re.MULTILINE)
    assert "license" not in pyproject(project)["project"]
    assert "## License" not in (project / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13"])
def test_the_python_version_reaches_every_file_that_names_one(cookies, version: str) -> None:
    project = bake(cookies, python_version=version)
    assert (project / ".python-version").read_text(encoding="utf-8").strip() == version
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count(f"FROM python:{version}-slim") == 2
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2
    config = pyproject(project)
    assert config["project"]["requires-python"] == f">={version},<3.14"
    assert config["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    assert config["tool"]["mypy"]["python_version"] == version
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert ci["jobs"]["checks"]["strategy"]["matrix"]["python-version"][0] == version  # up to the newest offered
    result = ruff_check(project)  # the target version changes which pyupgrade rules apply
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundled_kartcore_is_a_path_dependency_on_the_vendored_copy(cookies) -> None:
    project = bake(cookies, kartcore_source="bundled")
    assert (project / VENDOR / "kartcore" / "__init__.py").is_file()
    assert [name for name in files_under(project) if name.startswith(f"{VENDOR}/kartcore/")] == runtime_files()
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert 'path = "vendor/gokart-core"' in text
    config = pyproject(project)
    assert config["project"]["dependencies"] == ["gokart-core"]
    assert config["tool"]["poetry"]["dependencies"]["gokart-core"] == {"path": VENDOR, "develop": False}
    assert (project / "Dockerfile").read_text(encoding="utf-8").count("COPY vendor/ vendor/") == 2


@pytest.mark.parametrize(
    ("spec", "dependency"),
    [
        (">=0.1,<0.2", "gokart-core>=0.1,<0.2"),
        ("==0.1.0", "gokart-core==0.1.0"),
        ("gokart-core>=0.1", "gokart-core>=0.1"),
    ],
)
def test_a_version_spec_depends_on_gokart_core_from_the_index(cookies, spec: str, dependency: str) -> None:
    project = bake(cookies, kartcore_source=spec)
    assert not (project / "vendor").exists()
    config = pyproject(project)
    assert config["project"]["dependencies"] == [dependency]
    assert "dependencies" not in config["tool"]["poetry"]
    assert "vendor" not in (project / "Dockerfile").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({}, id="defaults"),
        pytest.param(
            {"kartcore_source": ">=0.1,<0.2", "python_version": "3.10", "license": "Proprietary"}, id="from-index"
        ),
    ],
)
def test_verify_yes_runs_the_pipeline_and_the_tests_and_leaves_nothing_behind(cookies, capfd, answers) -> None:
    project = bake(cookies, **{**answers, "verify": "yes"})
    assert VERIFIED.search(capfd.readouterr().out)
    assert not (project / "resources").exists()
    assert not [cache for cache in project.rglob("__pycache__") if ".venv" not in cache.relative_to(project).parts]
    assert not (project / ".pytest_cache").exists()


def test_verify_no_prints_nothing_about_verification(cookies, capfd) -> None:
    bake(cookies, verify="no")
    captured = capfd.readouterr()
    assert "verify" not in captured.out
    assert "verify" not in captured.err


# ----- the generated files ------------------------------------------------------------------------


def test_the_defaults_give_exactly_the_documented_files(cookies) -> None:
    project = bake(cookies)
    vendor = sorted([f"{VENDOR}/LICENSE", f"{VENDOR}/pyproject.toml", *runtime_files()])
    assert files_under(project) == sorted(PROJECT_FILES + vendor)


def test_the_hook_modules_stay_out_of_the_generated_project(cookies) -> None:
    project = bake(cookies)
    hooks = {path.name for path in (TEMPLATE_ROOT / "hooks").glob("*.py")}
    assert {"checks.py", "hook_answers.py", "hook_bundle.py"} <= hooks
    assert not [name for name in files_under(project) if Path(name).name in hooks]


def test_proprietary_from_the_index_gives_exactly_the_documented_files_without_license(cookies) -> None:
    project = bake(cookies, license="Proprietary", kartcore_source=">=0.1,<0.2")
    assert files_under(project) == [name for name in PROJECT_FILES if name != "LICENSE"]


CONFIGURATIONS = [
    pytest.param({}, id="defaults"),
    pytest.param({"license": "Apache-2.0", "python_version": "3.13", "kartcore_source": "~=0.1"}, id="apache"),
    pytest.param(
        {"license": "Proprietary", "project_name": "My Pipeline-2", "author": "O'Brien", "python_version": "3.10"},
        id="proprietary",
    ),
]


@pytest.mark.parametrize("answers", CONFIGURATIONS)
def test_no_template_syntax_is_left_in_any_generated_file(cookies, answers) -> None:
    project = bake(cookies, **answers)
    for name in files_under(project):
        if name.startswith("vendor/"):
            continue
        text = (project / name).read_text(encoding="utf-8").replace("${{", "$..")  # GitHub Actions expressions
        for marker in ("{{", "{%", "{#"):
            assert marker not in text, f"{name} holds {marker}"


@pytest.mark.parametrize("answers", CONFIGURATIONS)
def test_every_generated_config_file_parses(cookies, answers) -> None:
    project = bake(cookies, **answers)
    parsed = []
    for name in files_under(project):
        text = (project / name).read_text(encoding="utf-8")
        suffix = Path(name).suffix
        if suffix == ".toml":
            tomllib.loads(text)
        elif suffix in {".ini", ".cfg"}:
            configparser.ConfigParser(interpolation=None).read_string(text, source=name)
        elif suffix in {".yml", ".yaml"}:
            documents = list(yaml.safe_load_all(text))
            assert documents and all(isinstance(document, dict) for document in documents), name
        elif suffix == ".json":
            json.loads(text)
        else:
            continue
        parsed.append(name)
    expected = {"pyproject.toml", "conf/param.ini", "conf/logging.ini", "conf/luigid.cfg", ".github/workflows/ci.yml"}
    expected |= {".cruft.json", "deploy/kubernetes/luigid.yaml"}
    assert expected <= set(parsed)
    logging_conf = configparser.ConfigParser(interpolation=None)
    logging_conf.read_string((project / "conf/logging.ini").read_text(encoding="utf-8"))
    assert logging_conf["logger_project"]["qualname"] == pyproject(project)["tool"]["poetry"]["packages"][0]["include"]


@pytest.mark.parametrize(
    "project_name",
    [
        pytest.param("kart-pipeline", id="defaults"),
        pytest.param("a-" + "very-long-pipeline-name-" * 3 + "x" * 8, id="long-80"),
        pytest.param("p" * 100, id="long-100"),
    ],
)
def test_the_generated_project_passes_ruff(cookies, project_name: str) -> None:
    project = bake(cookies, project_name=project_name)
    assert project.name == project_name
    result = ruff_check(project)
    assert result.returncode == 0, result.stdout + result.stderr


# ----- .cruft.json and the derived answers --------------------------------------------------------


def test_cruft_json_records_the_answers_and_no_absolute_path(cookies, tmp_path: Path) -> None:
    answers = {
        "project_name": "Churn Model",
        "author": "Ada Lovelace",
        "email": "ada@example.org",
        "license": "BSD-3-Clause",
        "python_version": "3.12",
        "kartcore_source": ">=0.1,<0.2",
        "package_description": "Predicts churn.",
    }
    result = cookies.bake(extra_context={**answers, "verify": "no"}, template=str(REPO_ROOT))
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    text = (project / ".cruft.json").read_text(encoding="utf-8")
    record = json.loads(text)
    recorded = record["context"]["cookiecutter"]
    assert {key: recorded[key] for key in answers} == answers
    assert recorded["package_name"] == "churn_model"
    assert recorded["verify"] == "no"
    # every question is recorded
    questions = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    assert {key for key in questions if not key.startswith("_")} <= set(recorded)
    assert "_output_dir" not in recorded
    assert "_repo_dir" not in recorded
    assert str(tmp_path) not in text
    assert not re.search(r'"/', text), "an absolute path was recorded"
    assert not os.path.isabs(record["template"])
    assert (project / record["template"]).resolve() == REPO_ROOT
    assert record["directory"] is None  # the template is the repository root
    assert recorded["_template"] == record["template"]


@pytest.mark.parametrize(
    ("project_name", "package_name"),
    [("My Pipeline-2", "my_pipeline_2"), ("kart.pipeline", "kart_pipeline"), ("Churn-Model v2", "churn_model_v2")],
)
def test_package_name_is_derived_from_project_name(cookies, project_name: str, package_name: str) -> None:
    project = bake(cookies, project_name=project_name)
    assert project.name == project_name
    assert (project / package_name / "__init__.py").is_file()
    assert pyproject(project)["project"]["name"] == package_name.replace("_", "-")
    assert f'task_namespace = "{package_name}"' in (project / package_name / "utils/template.py").read_text(
        encoding="utf-8"
    )
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    assert (recorded["project_name"], recorded["package_name"]) == (project_name, package_name)


# ----- bad answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"package_name": "My-Pkg"}, "package_name 'My-Pkg' must be a lowercase Python identifier"),
        ({"package_name": "1abc"}, "package_name '1abc' must be a lowercase Python identifier"),
        ({"package_name": "Pkg"}, "package_name 'Pkg' must be a lowercase Python identifier"),
        ({"package_name": "class"}, "package_name 'class' is a Python keyword"),
        ({"package_name": "match"}, "package_name 'match' is a Python keyword"),
        ({"package_name": "json"}, "package_name 'json' is a standard-library module"),
        ({"project_name": "collections"}, "package_name 'collections' is a standard-library module"),
        ({"package_name": "kartcore"}, "package_name 'kartcore' is reserved"),
        ({"package_name": "luigi"}, "package_name 'luigi' is reserved"),
        ({"project_name": "gokart"}, "package_name 'gokart' is reserved"),
        ({"project_name": "a\\b", "package_name": "a_b"}, "project_name 'a\\\\b' must be a directory name"),
        ({"project_name": " kart", "package_name": "kart"}, "project_name ' kart' must not start or end with spaces"),
        ({"kartcore_source": "latest"}, "kartcore_source 'latest' must be 'bundled' or a version specifier"),
        ({"kartcore_source": "gokart-core"}, "kartcore_source 'gokart-core' must be 'bundled' or a version specifier"),
        ({"email": "nobody"}, "email 'nobody' must be an address like you@example.com"),
        ({"project_name": "a/b", "package_name": "a_b"}, "project_name 'a/b' must be a directory name"),
        (
            {"project_name": "x/../../escape", "package_name": "escape"},
            "project_name 'x/../../escape' must be a directory name",
        ),
        ({"project_name": "..", "package_name": "up"}, "project_name '..' must be a directory name"),
        ({"project_name": "", "package_name": "empty"}, "project_name must not be empty"),
    ],
)
def test_a_bad_answer_is_refused_with_one_message_and_leaves_nothing(
    cookies, capfd, tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    result = cookies.bake(extra_context={"verify": "no", **answers}, template=str(REPO_ROOT))
    err = capfd.readouterr().err
    assert result.exit_code != 0
    errors = [line for line in err.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"ERROR: {message}")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"python_version": "3.9"}, "3.9 provided for choice variable python_version"),
        ({"python_version": "3.14"}, "3.14 provided for choice variable python_version"),
        ({"license": "GPL-3.0"}, "GPL-3.0 provided for choice variable license"),
        ({"verify": "maybe"}, "maybe provided for choice variable verify"),
    ],
)
def test_an_answer_outside_a_choice_list_is_refused_by_cookiecutter(
    cookies, tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    # cookiecutter itself refuses these before any hook runs (an exception, not a hook message on stderr)
    result = cookies.bake(extra_context=answers, template=str(REPO_ROOT))
    assert result.exit_code != 0
    assert message in str(result.exception)
    assert leftovers(tmp_path) == []


def test_project_name_dotdot_never_deletes_the_parent_of_a_new_output_dir(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "precious.txt").write_text("keep me\n", encoding="utf-8")
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n", encoding="utf-8"
    )
    with pytest.raises(Exception):  # noqa: B017 - refused one way or another; what matters is what is left
        cookiecutter(
            str(REPO_ROOT),
            no_input=True,
            extra_context={"project_name": "..", "package_name": "up", "verify": "no"},
            output_dir=str(sandbox / "new-output"),
            config_file=str(config),
        )
    assert (sandbox / "precious.txt").read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"author": "Jane\\Doe"}, id="author-backslash"),
        pytest.param({"package_description": "Reads C:\\Users\\data"}, id="description-backslash"),
        pytest.param({"package_description": 'A "quoted" name"'}, id="description-trailing-quote"),
    ],
)
def test_free_text_answers_are_kept_or_refused_before_generation(cookies, capfd, tmp_path: Path, answers) -> None:
    result = cookies.bake(extra_context={"verify": "no", **answers}, template=str(REPO_ROOT))
    err = capfd.readouterr().err
    if result.exit_code == 0:  # kept: the text survives, escaped, in the generated files
        project = Path(result.project_path)
        table = pyproject(project)["project"]
        if "author" in answers:
            assert table["authors"][0]["name"] == answers["author"]
        else:
            assert "kart_pipeline/__init__.py" in files_under(project)
            compile((project / "kart_pipeline/__init__.py").read_text(encoding="utf-8"), "__init__.py", "exec")
    else:  # refused: by the pre_gen rules, not by the verification of a generated project
        (field,) = answers
        assert f"ERROR: {field} " in err
        assert "failed verification" not in err
        assert leftovers(tmp_path) == []
