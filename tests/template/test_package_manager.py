"""The generated project for each package manager (Poetry, the default, or uv): its metadata, its CI that
installs strictly from the lock, its pre-commit hooks, Dependabot, its Dockerfile and its README.

These bake without installing anything; tests/e2e/test_toolchain.py installs both kinds and runs them.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import tomllib
import yaml

from tests.conftest import files_under
from tests.template.conftest import REPO_ROOT

MANAGERS = ["poetry", "uv"]
LOCK_FILES = {"poetry": "poetry.lock", "uv": "uv.lock"}
LOCK_CHECKS = {"poetry": "poetry check --lock", "uv": "uv lock --check"}
STRICT_INSTALLS = {"poetry": "poetry sync", "uv": "uv sync --locked"}
RUNNERS = {"poetry": "poetry run ", "uv": "uv run --locked "}
DEPENDENCY_ECOSYSTEMS = {"poetry": "pip", "uv": "uv"}
#: What CI checks in the project's environment (after the runner prefix).
CI_CHECKS = ["ruff check .", "ruff format --check .", "mypy", "pytest"]
DEV_TOOLS = {"pytest", "ruff", "mypy", "pre-commit", "nbstripout"}
SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
BIN = Path(sys.executable).parent


def bake(cookies: Any, **answers: str) -> Path:
    result = cookies.bake(extra_context={"verify": "no", **answers}, template=str(REPO_ROOT))
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


def pyproject(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def workflow(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".github/workflows/ci.yml").read_text(encoding="utf-8"))


def run_lines(job: dict[str, Any]) -> list[str]:
    """Every command line of a job's ``run:`` steps, in order."""
    return [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines() if line.strip()]


def requirement_names(requirements: list[str] | dict[str, Any]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", item, maxsplit=1)[0].lower() for item in requirements}


def version_key(version: str) -> tuple[int, ...]:
    return tuple(map(int, version.split(".")))


def offered_versions() -> list[str]:
    questions = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    return sorted(questions["python_version"], key=version_key)


# ----- the answer ---------------------------------------------------------------------------------


def test_poetry_is_the_default_package_manager(cookies) -> None:
    project = bake(cookies)
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    assert recorded["package_manager"] == "poetry"
    assert "poetry" in pyproject(project)["tool"]
    assert "uv" not in pyproject(project)["tool"]


def test_an_unknown_package_manager_is_refused_by_cookiecutter(cookies, tmp_path: Path) -> None:
    result = cookies.bake(extra_context={"package_manager": "pip", "verify": "no"}, template=str(REPO_ROOT))
    assert result.exit_code != 0
    assert "pip provided for choice variable package_manager" in str(result.exception)
    assert not [path for path in (tmp_path / "cookies").rglob("*") if path.is_file()]


def test_uv_declares_the_project_in_standard_tables_with_the_bundled_runtime_as_a_path_source(cookies) -> None:
    project = bake(cookies, package_manager="uv")
    config = pyproject(project)
    assert "poetry" not in config["tool"]
    assert config["project"]["dependencies"] == ["gokart-core"]
    assert config["tool"]["uv"]["sources"] == {"gokart-core": {"path": "vendor/gokart-core", "editable": False}}
    assert requirement_names(config["dependency-groups"]["dev"]) >= DEV_TOOLS
    assert config["build-system"]["build-backend"] == "uv_build"
    assert (project / "vendor/gokart-core/kartcore/__init__.py").is_file()
    mentions = [
        name
        for name in files_under(project)
        if not name.startswith("vendor/")
        and name != ".cruft.json"  # the template's answers and settings, all of them
        and "poetry" in (project / name).read_text(encoding="utf-8").lower()
    ]
    assert mentions == []


def test_uv_with_kartcore_from_the_index_has_no_path_source(cookies) -> None:
    project = bake(cookies, package_manager="uv", kartcore_source=">=0.1,<0.2")
    config = pyproject(project)
    assert config["project"]["dependencies"] == ["gokart-core>=0.1,<0.2"]
    assert "sources" not in config["tool"].get("uv", {})
    assert not (project / "vendor").exists()
    assert "vendor" not in (project / "Dockerfile").read_text(encoding="utf-8")


def test_poetry_has_the_same_dev_tools(cookies) -> None:
    config = pyproject(bake(cookies))
    assert requirement_names(config["tool"]["poetry"]["group"]["dev"]["dependencies"]) >= DEV_TOOLS


@pytest.mark.parametrize("manager", MANAGERS)
def test_mypy_is_strict_and_warnings_are_errors_in_the_tests(cookies, manager: str) -> None:
    config = pyproject(bake(cookies, package_manager=manager))
    assert config["tool"]["mypy"]["strict"] is True
    assert config["tool"]["pytest"]["ini_options"]["filterwarnings"] == ["error"]


# ----- CI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_every_action_is_pinned_by_commit_with_its_version_named(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    text = (project / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    uses = [step["uses"] for job in workflow(project)["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses
    assert all(SHA_PINNED.match(action) for action in uses), uses
    for action in uses:  # the version the commit is, for people and for Dependabot
        assert re.search(re.escape(action) + r"\s+# v\d+(\.\d+)*\s*$", text, re.MULTILINE), action
    setup_uv = [action for action in uses if action.startswith("astral-sh/setup-uv@")]
    assert len(setup_uv) == (1 if manager == "uv" else 0)


@pytest.mark.parametrize("manager", MANAGERS)
def test_ci_checks_the_lock_then_installs_strictly_from_it(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    jobs = workflow(project)["jobs"]
    lines = run_lines(jobs["checks"])
    assert lines.index(LOCK_CHECKS[manager]) < lines.index(STRICT_INSTALLS[manager])
    every_line = [line for job in jobs.values() for line in run_lines(job)]
    resolving = [
        line
        for line in every_line
        if re.search(r"\bpoetry (lock|install|update)\b", line)
        or re.search(r"\buv (lock|sync)\b(?!.*--(check|locked))", line)
    ]
    assert resolving == [], "CI must not resolve dependencies afresh"


@pytest.mark.parametrize("manager", MANAGERS)
def test_ci_runs_lint_format_types_tests_and_the_pipeline(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    lines = run_lines(workflow(project)["jobs"]["checks"])
    for check in CI_CHECKS:
        assert RUNNERS[manager] + check in lines
    assert f"{RUNNERS[manager]}python main.py kart_pipeline.Sample --local-scheduler" in lines


@pytest.mark.parametrize("manager", MANAGERS)
def test_ci_checks_the_config_and_summarises_the_plan(cookies, manager: str) -> None:
    """kart check fails the job on a config key no task reads; kart plan of the example DAG goes to the summary."""
    project = bake(cookies, package_manager=manager)
    job = workflow(project)["jobs"]["checks"]
    steps, lines = job["steps"], run_lines(job)
    assert RUNNERS[manager] + "kart check" in lines
    (plan,) = [step for step in steps if "kart plan" in step.get("run", "")]
    assert f"{RUNNERS[manager]}kart plan kart_pipeline.Evaluate --format markdown" in plan["run"]
    assert plan["run"].rstrip().endswith('>> "$GITHUB_STEP_SUMMARY"')
    assert lines.index(RUNNERS[manager] + "kart check") < lines.index(
        f"{RUNNERS[manager]}python main.py kart_pipeline.Sample --local-scheduler"
    )


@pytest.mark.parametrize("manager", MANAGERS)
def test_mypy_uses_the_kartcore_plugin(cookies, manager: str) -> None:
    assert pyproject(bake(cookies, package_manager=manager))["tool"]["mypy"]["plugins"] == ["kartcore.mypy"]


@pytest.mark.parametrize("manager", MANAGERS)
@pytest.mark.parametrize("version", offered_versions())
def test_ci_tests_every_offered_python_from_the_chosen_one(cookies, manager: str, version: str) -> None:
    project = bake(cookies, package_manager=manager, python_version=version)
    job = workflow(project)["jobs"]["checks"]
    expected = [offered for offered in offered_versions() if version_key(offered) >= version_key(version)]
    assert job["strategy"]["matrix"]["python-version"] == expected
    assert job["strategy"]["fail-fast"] is False
    setup = [step for step in job["steps"] if re.search(r"/setup-(python|uv)@", step.get("uses", ""))]
    assert [step["with"]["python-version"] for step in setup] == ["${{ matrix.python-version }}"]


@pytest.mark.parametrize("manager", MANAGERS)
def test_ci_cancels_superseded_runs_and_caches_dependencies(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    config = workflow(project)
    assert config["concurrency"] == {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": True}
    steps = config["jobs"]["checks"]["steps"]
    if manager == "uv":
        (setup,) = [step for step in steps if "setup-uv" in step.get("uses", "")]
        assert setup["with"]["enable-cache"] is True
        assert setup["with"]["cache-dependency-glob"] == "uv.lock"
    else:
        (setup,) = [step for step in steps if "setup-python" in step.get("uses", "")]
        assert setup["with"]["cache"] == "poetry"
        install = next(index for index, step in enumerate(steps) if "pipx install poetry" in step.get("run", ""))
        assert install < steps.index(setup), "setup-python's Poetry cache needs poetry installed first"


# ----- pre-commit and Dependabot ------------------------------------------------------------------


def hook_entries(project: Path) -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


@pytest.mark.parametrize("manager", MANAGERS)
def test_pre_commit_runs_what_ci_runs_with_the_locked_tools(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    hooks = hook_entries(project)
    entries = {hook["entry"] for hook in hooks.values()}
    ci_lines = set(run_lines(workflow(project)["jobs"]["checks"]))
    for check in CI_CHECKS[:-1]:  # the tests stay in CI: pre-commit must stay fast
        assert RUNNERS[manager] + check in entries
        assert RUNNERS[manager] + check in ci_lines
    assert LOCK_CHECKS[manager] in entries
    assert all(hook["language"] == "system" for hook in hooks.values())
    strip = hooks["nbstripout"]
    assert strip["entry"] == RUNNERS[manager] + "nbstripout"
    assert strip["types"] == ["jupyter"]


@pytest.mark.parametrize("manager", MANAGERS)
def test_dependabot_updates_actions_dependencies_and_the_image_after_a_cooldown(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    config = yaml.safe_load((project / ".github/dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", DEPENDENCY_ECOSYSTEMS[manager], "docker"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] in {"daily", "weekly", "monthly"}
        assert update["cooldown"]["default-days"] >= 1


# ----- linters over every generated YAML file and the Dockerfile ---------------------------------

LINTERS = {
    "actionlint": [BIN / "actionlint", ".github/workflows/ci.yml"],
    "zizmor": [BIN / "zizmor", "--offline", ".github/"],  # the workflow and dependabot.yml
    "hadolint": [BIN / "hadolint", "Dockerfile"],
    "pre-commit": [BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml"],
}


@pytest.mark.parametrize("manager", MANAGERS)
@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_linter_is_clean(cookies, manager: str, linter: str) -> None:
    project = bake(cookies, package_manager=manager)
    command = LINTERS[linter]
    assert Path(command[0]).is_file(), f"{command[0]} is missing: pip install -e '.[dev]'"
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    if linter == "zizmor":
        assert "No findings" in result.stdout + result.stderr


# ----- Dockerfile ---------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_dockerfile_installs_from_the_lock_and_names_the_command_that_writes_it(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    text = (project / "Dockerfile").read_text(encoding="utf-8")
    lock = LOCK_FILES[manager]
    # a wildcard, so that a missing lock reaches the check that says what to do instead of "no such file"
    assert f"{lock[:-1]}[{lock[-1]}]" in text
    assert f"{lock} is missing: run '{manager} lock'" in text
    if manager == "uv":
        assert "uv sync --locked --no-dev --no-install-project" in text
        assert "poetry" not in text.lower()
    else:
        assert "poetry check --lock" in text


# ----- README -------------------------------------------------------------------------------------


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^( *)```{language}\n(.*?)^\1```", text, re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_readme_speaks_of_the_chosen_package_manager_and_shows_the_kart_commands(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    text = (project / "README.md").read_text(encoding="utf-8")
    prefix = RUNNERS[manager].replace("--locked ", "")
    assert f"{prefix}python main.py kart_pipeline.Sample --local-scheduler" in text
    assert f"{prefix}pytest" in text
    assert f"{manager} lock" in text
    other = "uv run" if manager == "poetry" else "poetry"
    assert other not in text
    for command in (
        "kart tree kart_pipeline.Evaluate",
        "--format html",
        "--format mermaid",
        "kart add task",
        "kart show kart_pipeline.",
        "kart history kart_pipeline.",
        "kart clean kart_pipeline.Evaluate",
        "--workers",
        "--scheduler-host",
        "--dask-scheduler",
    ):
        assert command in text, command


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_readme_task_example_is_the_code_of_the_example_pipeline(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    blocks = [block for _, block in code_blocks((project / "README.md").read_text(encoding="utf-8"), "python")]
    module = (project / "kart_pipeline/model/sample.py").read_text(encoding="utf-8")
    classes = {
        node.name: ast.get_source_segment(module, node)
        for node in ast.parse(module).body
        if isinstance(node, ast.ClassDef)
    }
    shown = [block for block in blocks if block.startswith("class ")]
    assert shown, "the README shows one of the pipeline's tasks"
    for block in shown:
        name = re.match(r"class (\w+)", block).group(1)
        assert block.strip() == classes[name], f"README's {name} differs from kart_pipeline/model/sample.py"


# ----- notebooks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_notebook_is_valid_and_has_no_outputs(cookies, manager: str) -> None:
    project = bake(cookies, package_manager=manager)
    (path,) = sorted((project / "notebooks").glob("*.ipynb"))
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "kart_pipeline" in "".join(cell.source for cell in code)
