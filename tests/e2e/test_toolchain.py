"""The generated project's toolchain, end to end, for each package manager (Poetry and uv) alike.

Per package manager, one project is generated with ``verify=yes`` (so the hook writes its lock), copied,
installed strictly from a lock, and then checked the way its README, CI and pre-commit config use it:
the lock matches, the pipeline and ``pytest`` run with every warning an error, ruff check, ruff format
--check, mypy (strict) pass, pre-commit runs every hook clean and strips a notebook's outputs, the
notebook loads the cached outputs without running a task, the README's ``kart`` commands work, the gokart
tutorial's tasks reuse the cache, and podman builds the Dockerfile (and refuses without a lock, naming
the command) and runs the image.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.e2e.cluster import (
    dask_cluster_survives_a_killed_worker,
    image_with_dask,
    luigid_cluster_survives_a_killed_worker,
)
from tests.e2e.generated_project import (
    REPO_ROOT,
    USE_PIP_INDEX,
    Podman,
    built_image,
    environment,
    explain,
    run,
    start_podman,
)
from tests.e2e.managed_project import CHECKS, LOCK_FILES, MANAGERS, ManagedProject, UvProject, managed
from tests.e2e.test_generated_project import TUTORIAL_TASKS, luigi_summary, warning_lines

pytestmark = pytest.mark.slow

PACKAGE = "kart_pipeline"
#: cookiecutter.json's python_version choices, oldest first.
OFFERED = sorted(
    json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))["python_version"],
    key=lambda version: tuple(map(int, version.split("."))),
)
RUNNER_PREFIX = {"poetry": ["poetry", "run"], "uv": ["uv", "run"]}


def tool_homes(home: Path) -> dict[str, str]:
    """uv, Poetry and pre-commit keep caches and config under ``home``; uv uses this interpreter."""
    return {
        "UV_CACHE_DIR": str(home / "uv-cache"),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "POETRY_CACHE_DIR": str(home / "cache"),
        "POETRY_CONFIG_DIR": str(home / "config"),
        "POETRY_DATA_DIR": str(home / "data"),
        "POETRY_KEYRING_ENABLED": "false",
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
    }


# ----- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=MANAGERS)
def manager(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def generate(work: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    """``cookiecutter --no-input`` on this repository into ``work/out``, as a user runs it (a subprocess)."""
    config = work / "cookiecutter-config.yaml"
    config.write_text(f'cookiecutters_dir: "{work / "cc"}"\nreplay_dir: "{work / "replay"}"\n', encoding="utf-8")
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", work / "out", "--config-file", config]
    result = run([*command, REPO_ROOT, *answers], cwd=work, env=environment(**tool_homes(work / "homes")))
    assert result.returncode == 0, explain(result)
    return result


@pytest.fixture(scope="module")
def generated(manager: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The project generated with ``verify=yes``, and what the hooks printed."""
    work = tmp_path_factory.mktemp(f"generate-{manager}")
    result = generate(work, f"package_manager={manager}", "verify=yes")
    return work / "out" / "kart-pipeline", result.stdout


@pytest.fixture(scope="module")
def project(manager: str, generated: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> ManagedProject:
    """A copy of the generated project, installed strictly from its lock into its own ``.venv``.

    uv installs from the uv.lock the hook wrote. Poetry first gets this workplace's index as a legacy
    source (``poetry/use-pip-index.sh``, on the copy only), which changes pyproject.toml, so it locks again.
    """
    work = tmp_path_factory.mktemp(f"install-{manager}")
    root = work / "kart-pipeline"
    shutil.copytree(generated[0], root, ignore=shutil.ignore_patterns(".venv"))  # the hook's install: see below
    project = managed(manager, root, PACKAGE, work / "homes")
    if manager == "poetry":
        source = run(["bash", USE_PIP_INDEX, sys.executable], cwd=root, env=project.env())
        assert source.returncode == 0, explain(source)
        for step in (("env", "use", sys.executable), ("lock",), ("sync",)):
            result = project(*step)
            assert result.returncode == 0, explain(result)
    else:
        result = project("sync", "--locked")
        assert result.returncode == 0, explain(result)
    return project


@pytest.fixture(scope="module")
def evaluated(project: ManagedProject) -> subprocess.CompletedProcess[str]:
    """The first run of the example DAG, with every warning an error (before any other test runs a task)."""
    return project.run("python", "-W", "error", "main.py", f"{PACKAGE}.Evaluate", "--local-scheduler")


# ----- the lock -------------------------------------------------------------------------------------


def test_generation_with_checks_locks_or_names_the_command(manager: str, generated: tuple[Path, str]) -> None:
    root, printed = generated
    lock = LOCK_FILES[manager]
    (line,) = [line for line in printed.splitlines() if line.startswith("lock: ")]
    if manager == "uv":  # uv reaches this workplace's index
        assert line.startswith("lock: wrote uv.lock"), printed
    if (root / lock).is_file():
        assert line.startswith(f"lock: wrote {lock}")
    else:
        assert line.endswith(f"cd kart-pipeline && {manager} lock"), line


def test_generation_with_a_lock_installs_the_project_and_verifies_it_there(
    manager: str, generated: tuple[Path, str]
) -> None:
    """With its lock written, the hook installs the project into .venv and runs the example and the tests there."""
    root, printed = generated
    if not (root / LOCK_FILES[manager]).is_file():
        assert "verify: the pipeline ran and the tests passed" in printed  # with the hook's interpreter
        assert manager == "poetry", printed  # uv reaches this workplace's index
        return
    assert f"verify: installed from {LOCK_FILES[manager]} into .venv; the pipeline ran and the tests passed" in printed
    tool = [str(root / ".venv/bin/python"), "-c", "import kart_pipeline, kartcore, pytest"]
    imported = run(tool, cwd=root, env=environment())
    assert imported.returncode == 0, explain(imported)
    again = run(
        [*RUNNER_PREFIX[manager], "python", "-c", "import kart_pipeline"],
        cwd=root,
        env=environment(**tool_homes(root.parent.parent / "homes")),
    )
    assert again.returncode == 0, explain(again)  # the manager finds the project's environment as it is


def test_the_lock_matches_pyproject(manager: str, project: ManagedProject) -> None:
    result = project("lock", "--check") if manager == "uv" else project("check", "--lock")
    assert result.returncode == 0, explain(result)


# ----- the pipeline, the checks CI runs, pre-commit --------------------------------------------------


def test_the_pipeline_runs_with_every_warning_an_error(project: ManagedProject, evaluated) -> None:
    assert evaluated.returncode == 0, explain(evaluated)
    ran = sorted(luigi_summary(evaluated.stderr).get("ran successfully", []))
    assert ran == [f"{PACKAGE}.{task}" for task in ("Evaluate", "LoadIris", "SplitData", "TrainCentroids")]
    assert warning_lines(evaluated.stderr) == [], explain(evaluated)


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_check_passes(project: ManagedProject, check: str) -> None:
    result = project.run(*CHECKS[check])
    assert result.returncode == 0, explain(result)


def git(root: Path, *args: str) -> None:
    result = run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root)
    assert result.returncode == 0, explain(result)


@pytest.fixture(scope="module")
def committed(project: ManagedProject) -> ManagedProject:
    """The project as a git repository with everything added (pre-commit works on git's files)."""
    git(project.root, "init", "-q", ".")
    git(project.root, "add", "-A")
    return project


def test_pre_commit_runs_every_hook_clean(committed: ManagedProject) -> None:
    result = committed.run("pre-commit", "run", "--all-files")
    assert result.returncode == 0, explain(result)
    lock_hook = f"{LOCK_FILES[committed.manager]} matches pyproject.toml"
    for hook in (lock_hook, "ruff check", "ruff format --check", "mypy", "strip notebook outputs"):
        assert re.search(rf"^{re.escape(hook)}\.*Passed$", result.stdout, re.MULTILINE), result.stdout


def test_pre_commit_strips_a_notebooks_outputs(committed: ManagedProject) -> None:
    path = committed.root / "notebooks" / "explore.ipynb"
    original = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(original, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a secret printed here\n")]
    nbformat.write(notebook, path)
    try:
        result = committed.run("pre-commit", "run", "nbstripout", "--files", "notebooks/explore.ipynb")
        stripped = nbformat.read(path, as_version=4)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1 and "files were modified by this hook" in result.stdout, explain(result)
    assert all(cell.get("outputs", []) == [] and cell.get("execution_count") is None for cell in stripped.cells)
    assert "a secret printed here" not in path.read_text(encoding="utf-8")


# ----- the notebook ---------------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(directory)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_the_notebook_loads_the_cached_outputs_without_running_a_task(
    project: ManagedProject, evaluated, tmp_path: Path
) -> None:
    """The notebook's code cells, run as Jupyter would from notebooks/, give the cached metrics; nothing is written."""
    assert evaluated.returncode == 0, explain(evaluated)
    notebook = nbformat.read(project.root / "notebooks" / "explore.ipynb", as_version=4)
    code = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    script = tmp_path / "notebook.py"
    script.write_text(
        f"import os\nos.chdir('notebooks')\n{code}\n\nimport json\nprint('METRICS ' + json.dumps(metrics))\n",
        encoding="utf-8",
    )
    before = snapshot(project.root / "resources")
    result = project.run("python", script)
    assert result.returncode == 0, explain(result)
    assert snapshot(project.root / "resources") == before, "the notebook wrote to the workspace"
    assert "ran successfully" not in result.stderr
    (metrics_file,) = (project.root / "resources" / "evaluation").glob("metrics_*.json")
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("METRICS ")]
    assert json.loads(line.removeprefix("METRICS ")) == json.loads(metrics_file.read_text(encoding="utf-8"))
    assert "training and" in result.stdout


# ----- the README's commands ------------------------------------------------------------------------


def readme_commands(root: Path, manager: str, tool: str) -> list[list[str]]:
    """The README's shell lines that run ``tool`` through the package manager, comments dropped."""
    text = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    prefix = RUNNER_PREFIX[manager]
    commands = [shlex.split(line, comments=True) for block in blocks for line in block.splitlines()]
    return [command[len(prefix) :] for command in commands if command[: len(prefix) + 1] == [*prefix, tool]]


def test_the_readmes_kart_commands_run(project: ManagedProject, manager: str, evaluated) -> None:
    assert evaluated.returncode == 0, explain(evaluated)
    commands = [command for command in readme_commands(project.root, manager, "kart") if command[1] != "add"]
    assert {command[1] for command in commands} == {"tree", "show", "history", "clean", "plan", "check"}
    before = snapshot(project.root / "resources")
    for command in commands:
        result = project.run(*command)
        assert result.returncode == 0, explain(result)
        if command[1] == "plan":
            assert result.stdout.splitlines()[-1] == "4 tasks: 0 run, 0 stale, 4 cached, 0 unknown", result.stdout
        if "mermaid" in command:
            assert "graph" in result.stdout or "flowchart" in result.stdout, result.stdout
    assert snapshot(project.root / "resources") == before, "kart clean is a dry run unless told otherwise"
    assert (project.root / "dag.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    (project.root / "dag.html").unlink()


def test_the_readmes_add_task_commands_give_a_task_that_runs_and_passes_the_checks(
    project: ManagedProject, manager: str
) -> None:
    add = [command for command in readme_commands(project.root, manager, "kart") if command[1] == "add"]
    assert len(add) == 1
    init = project.root / PACKAGE / "__init__.py"
    original = init.read_text(encoding="utf-8")
    written: list[Path] = []
    try:
        added = project.run(*add[0])
        assert added.returncode == 0, explain(added)
        written = [
            project.root / line.split(" ", 1)[1] for line in added.stdout.splitlines() if line.startswith("wrote ")
        ]
        assert written
        task = add[0][3]
        ran = project.run("python", "-W", "error", "main.py", f"{PACKAGE}.{task}", "--local-scheduler")
        assert ran.returncode == 0, explain(ran)
        assert f"{PACKAGE}.{task}" in luigi_summary(ran.stderr).get("ran successfully", []), explain(ran)
        for check in ("ruff", "mypy", "pytest"):
            result = project.run(*CHECKS[check])
            assert result.returncode == 0, explain(result)
    finally:
        for path in written:
            path.unlink(missing_ok=True)
        init.write_text(original, encoding="utf-8")


def test_tutorial_tasks_reuse_the_cached_sample(project: ManagedProject) -> None:
    """The gokart tutorial's StringToSplit and Main, appended to sample.py, find Sample cached (as for Poetry in
    test_generated_project.py); sample.py is restored afterwards."""
    sample = project.main("Sample")
    assert sample.returncode == 0, explain(sample)
    module = project.root / PACKAGE / "model" / "sample.py"
    original = module.read_text(encoding="utf-8")
    module.write_text(original + TUTORIAL_TASKS, encoding="utf-8")
    try:
        main = project.main("Main")
    finally:
        module.write_text(original, encoding="utf-8")
    assert main.returncode == 0, explain(main)
    summary = luigi_summary(main.stderr)
    assert summary.get("complete ones were encountered") == [f"{PACKAGE}.Sample"], explain(main)
    assert sorted(summary.get("ran successfully", [])) == [f"{PACKAGE}.Main", f"{PACKAGE}.StringToSplit"]


# ----- the Docker image, built and run with podman --------------------------------------------------

#: The cluster tests run the uv image only: test_generated_project.py runs them on the Poetry image.
ONLY_UV = pytest.mark.parametrize("manager", ["uv"], indirect=True, scope="module")


@pytest.fixture(scope="module")
def podman() -> Podman:
    return start_podman()


@pytest.fixture(scope="module")
def image(podman: Podman, project: ManagedProject) -> Iterator[str]:
    """The installed copy's image (built from its lock); removed when the module's tests are done."""
    with built_image(podman, project.root, "kart-toolchain") as tag:
        yield tag


def test_the_image_runs_sample_by_default(podman: Podman, image: str) -> None:
    result = podman.run_container(image)
    assert result.returncode == 0, explain(result)
    assert luigi_summary(result.stderr).get("ran successfully", []) == [f"{PACKAGE}.Sample"], explain(result)


def test_the_image_runs_any_task_as_a_non_root_user(podman: Podman, image: str) -> None:
    result = podman.run_container(image, "python", "main.py", f"{PACKAGE}.Evaluate", "--local-scheduler")
    assert result.returncode == 0, explain(result)
    assert f"{PACKAGE}.Evaluate" in luigi_summary(result.stderr).get("ran successfully", []), explain(result)
    user = podman.run_container(image, "id", "-u")
    assert user.returncode == 0, explain(user)
    assert user.stdout.strip() not in {"", "0"}


def test_the_image_holds_no_package_manager(podman: Podman, image: str) -> None:
    probe = "import importlib.util as u; print([n for n in ('poetry', 'uv', 'pip_tools') if u.find_spec(n)])"
    result = podman.run_container(image, "python", "-c", probe)
    assert result.returncode == 0, explain(result)
    assert result.stdout.strip() == "[]"


@ONLY_UV
def test_the_images_share_a_dag_through_luigid_and_survive_a_killed_worker(
    podman: Podman, image: str, tmp_path: Path
) -> None:
    """As for the Poetry image in test_generated_project.py: luigid and two workers, one killed mid-task."""
    luigid_cluster_survives_a_killed_worker(podman, image, tmp_path)


@pytest.fixture(scope="module")
def dask_image(podman: Podman, image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The image with dask[distributed] added, as a project depending on gokart-core[dask] has it."""
    with image_with_dask(podman, image, tmp_path_factory.mktemp("dask-image")) as tag:
        yield tag


@ONLY_UV
def test_the_images_run_a_dag_on_dask_and_survive_a_killed_worker(
    podman: Podman, dask_image: str, tmp_path: Path
) -> None:
    """As for the Poetry image in test_generated_project.py: a Dask scheduler, two workers (one killed), a driver."""
    dask_cluster_survives_a_killed_worker(podman, dask_image, tmp_path)


def test_docker_build_without_a_lock_names_the_command_that_writes_it(
    podman: Podman, manager: str, generated: tuple[Path, str], tmp_path: Path
) -> None:
    root = tmp_path / "kart-pipeline"
    shutil.copytree(generated[0], root, ignore=shutil.ignore_patterns(".venv"))
    lock = LOCK_FILES[manager]
    (root / lock).unlink(missing_ok=True)
    tag = f"localhost/kart-nolock-{uuid.uuid4().hex[:12]}:test"
    try:
        built = podman.build(root, tag)
    finally:
        podman("rmi", "--force", tag)
    assert built.returncode != 0
    message = f"{lock} is missing: run '{manager} lock' in the project, commit {lock}, then build again"
    assert message in [line.strip() for line in (built.stdout + built.stderr).splitlines()], explain(built)


# ----- every offered Python version -----------------------------------------------------------------


def interpreter(version: str) -> Path | None:
    """A CPython ``version`` on this machine: pyenv's builds (this workplace's machines have 3.10 to 3.13)."""
    found = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    return found[-1] if found else None


@pytest.fixture(scope="module")
def oldest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A uv project for the oldest offered Python, locked once (the lock covers every version it allows)."""
    work = tmp_path_factory.mktemp("oldest")
    generate(work, "package_manager=uv", "verify=no", f"python_version={OFFERED[0]}")
    root = work / "out" / "kart-pipeline"
    locked = UvProject(root=root, package=PACKAGE, home=work / "homes")("lock")
    assert locked.returncode == 0, explain(locked)
    return root


@pytest.mark.parametrize("version", OFFERED)
def test_every_offered_python_runs_the_pipeline_and_the_tests_with_warnings_as_errors(
    oldest: Path, version: str, tmp_path: Path
) -> None:
    python = interpreter(version)
    if python is None:
        pytest.skip(f"no CPython {version} on this machine (pyenv install {version} provides one)")
    root = tmp_path / "kart-pipeline"
    shutil.copytree(oldest, root)
    project = UvProject(root=root, package=PACKAGE, home=oldest.parents[1] / "homes", python=str(python))
    synced = project("sync", "--locked")
    assert synced.returncode == 0, explain(synced)
    assert project.run("python", "-c", "import sys; print(sys.version)").stdout.startswith(version)
    ran = project.run("python", "-W", "error", "main.py", f"{PACKAGE}.Evaluate", "--local-scheduler")
    assert ran.returncode == 0, explain(ran)
    assert warning_lines(ran.stderr) == [], explain(ran)
    tests = project.run(*CHECKS["pytest"])
    assert tests.returncode == 0, explain(tests)
