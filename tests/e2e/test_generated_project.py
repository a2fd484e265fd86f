"""The default generated project, end to end, the way its README and CI use it.

One project is baked per module. The checks then run for real: Poetry locks and installs it and runs its
pipeline, tests, ruff, mypy and ``poetry check``; actionlint, zizmor and hadolint lint its workflow and
Dockerfile; the gokart tutorial's tasks are added and reuse the cached Sample; podman builds its
Dockerfile and runs the image. Poetry and podman work on a temporary copy, because this workplace's
package index needs an extra Poetry source (``poetry/use-pip-index.sh``) that the template must not carry.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cluster import (
    dask_cluster_survives_a_killed_worker,
    image_with_dask,
    luigid_cluster_survives_a_killed_worker,
)
from tests.e2e.generated_project import (
    USE_PIP_INDEX,
    Podman,
    PoetryProject,
    bake,
    built_image,
    explain,
    run,
    start_podman,
    tool,
)

pytestmark = pytest.mark.slow

# The gokart tutorial's two tasks (shared/seeds/000_71f06ca9a2d678ba.txt, "Taskを作ってみる"), as a user
# would paste them under the generated Sample: untyped, and with gokart spelled `import kartcore as gokart`.
TUTORIAL_TASKS = '''

import kartcore as gokart  # noqa: E402


class StringToSplit(GokartTask):
    """Like the function to divide received data by spaces."""

    task = gokart.TaskInstanceParameter()

    def run(self):
        sample = self.load("task")
        self.dump(sample.split(" "))


class Main(GokartTask):
    """Endpoint task."""

    def requires(self):
        return StringToSplit(task=Sample())
'''


def luigi_summary(stderr: str) -> dict[str, list[str]]:
    """The Luigi Execution Summary as {"ran successfully": ["pkg.Main", ...], "complete ones were encountered": ...}."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in stderr.splitlines():
        heading = re.match(r"^\* \d+ (.+):$", line)
        item = re.match(r"^\s+- \d+ ([\w.]+)\(", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
        elif item:
            current.append(item.group(1))
    return sections


def warning_lines(text: str) -> list[str]:
    """Lines that mention a warning in any case (Python's, luigi's, Poetry's or pip's)."""
    return [line for line in text.splitlines() if "warning" in line.lower()]


# ----- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, generated once; verify=no because these tests verify it more thoroughly."""
    return bake(tmp_path_factory.mktemp("bake"), verify="no")


@pytest.fixture(scope="module")
def package(baked: Path) -> str:
    """The generated package's name, as recorded in the project's .cruft.json."""
    return json.loads((baked / ".cruft.json").read_text())["context"]["cookiecutter"]["package_name"]


@pytest.fixture(scope="module")
def poetry_project(baked: Path, package: str, tmp_path_factory: pytest.TempPathFactory) -> PoetryProject:
    """A copy of the project with the pip index as Poetry source, then ``poetry lock`` and ``poetry install``.

    The venv is made from this interpreter (``poetry env use``), so the project's requires-python holds.
    """
    work = tmp_path_factory.mktemp("poetry")
    root = work / baked.name
    shutil.copytree(baked, root)
    project = PoetryProject(root=root, package=package, home=work / "poetry-home")
    source = project.script(USE_PIP_INDEX, sys.executable)
    assert source.returncode == 0, explain(source)
    for step in (("env", "use", sys.executable), ("lock",), ("install",)):
        result = project(*step)
        assert result.returncode == 0, explain(result)
    assert (root / "poetry.lock").is_file()
    return project


@pytest.fixture(scope="module")
def first_sample_run(poetry_project: PoetryProject) -> subprocess.CompletedProcess[str]:
    """The first run of the pipeline in the fresh project, before any other test writes ``resources/``."""
    return poetry_project.main("Sample")


@pytest.fixture(scope="module")
def podman() -> Podman:
    """podman with this workplace's flags and the local ``python:3.11-slim`` stand-in (made if missing)."""
    return start_podman()


@pytest.fixture(scope="module")
def image(podman: Podman, poetry_project: PoetryProject) -> Iterator[str]:
    """The Poetry copy's image (it has poetry.lock by now); removed when the module's tests are done."""
    with built_image(podman, poetry_project.root, "kart-e2e") as tag:
        yield tag


# ----- linters on the generated project -------------------------------------------------------------

LINTERS = {
    "actionlint": ["actionlint", ".github/workflows/ci.yml"],  # runs shellcheck on run: steps too
    "zizmor": ["zizmor", "--offline", ".github/workflows/ci.yml"],  # --offline: no GitHub API calls
    "hadolint": ["hadolint", "Dockerfile"],
}


@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_linter_is_clean(baked: Path, linter: str) -> None:
    command = LINTERS[linter]
    result = run([tool(command[0]), *command[1:]], cwd=baked)
    assert result.returncode == 0, explain(result)


# ----- Poetry ---------------------------------------------------------------------------------------


def test_first_pipeline_run_succeeds_quietly(
    poetry_project: PoetryProject, first_sample_run: subprocess.CompletedProcess[str]
) -> None:
    assert first_sample_run.returncode == 0, explain(first_sample_run)
    assert len(poetry_project.outputs("Sample")) == 1, "Sample's output lands under resources/"
    assert luigi_summary(first_sample_run.stderr).get("ran successfully") == [f"{poetry_project.package}.Sample"]
    assert warning_lines(first_sample_run.stderr) == [], explain(first_sample_run)


@pytest.mark.parametrize("command", [["pytest"], ["ruff", "check", "."], ["mypy"]], ids=["pytest", "ruff", "mypy"])
def test_project_check_passes_under_poetry(poetry_project: PoetryProject, command: list[str]) -> None:
    result = poetry_project("run", *command)
    assert result.returncode == 0, explain(result)


def test_poetry_check(poetry_project: PoetryProject) -> None:
    result = poetry_project("check")
    assert result.returncode == 0, explain(result)


def test_mypy_checks_task_arguments_through_the_kartcore_plugin(poetry_project: PoetryProject) -> None:
    """The project's mypy config loads kartcore.mypy: a misspelt or mistyped task argument is a type error."""
    probe = poetry_project.root / poetry_project.package / "typed_probe.py"
    probe.write_text(
        f"from {poetry_project.package}.model.sample import SplitData\n\n"
        'SplitData(test_ratio="0.3")\nSplitData(test_ration=0.3)\nSplitData(test_ratio=0.3)\n',
        encoding="utf-8",
    )
    try:
        result = poetry_project("run", "mypy", probe.relative_to(poetry_project.root))
    finally:
        probe.unlink()
    assert result.returncode == 1, explain(result)
    errors = [line.split(": error: ", 1)[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Argument "test_ratio" to "SplitData" has incompatible type "str"; expected "float"  [arg-type]',
        'Unexpected keyword argument "test_ration" for "SplitData"; did you mean "test_ratio"?  [call-arg]',
    ], explain(result)


# ----- the gokart tutorial --------------------------------------------------------------------------


def test_tutorial_tasks_reuse_the_cached_sample(
    poetry_project: PoetryProject, first_sample_run: subprocess.CompletedProcess[str]
) -> None:
    """Appends StringToSplit and Main to sample.py; Main then finds Sample complete and runs the other two.

    sample.py is restored afterwards, so the lint and type checks above hold whatever the test order
    (and ``first_sample_run`` has had its turn before this test writes anything).
    """
    package = poetry_project.package
    module = poetry_project.root / package / "model" / "sample.py"
    original = module.read_text(encoding="utf-8")
    module.write_text(original + TUTORIAL_TASKS, encoding="utf-8")
    try:
        sample = poetry_project.main("Sample")
        assert sample.returncode == 0, explain(sample)
        main = poetry_project.main("Main")
    finally:
        module.write_text(original, encoding="utf-8")
    assert main.returncode == 0, explain(main)
    summary = luigi_summary(main.stderr)
    assert summary.get("complete ones were encountered") == [f"{package}.Sample"], explain(main)
    assert sorted(summary.get("ran successfully", [])) == [f"{package}.Main", f"{package}.StringToSplit"], explain(main)
    (split,) = poetry_project.outputs("StringToSplit")
    with split.open("rb") as stream:
        assert pickle.load(stream) == ["sample", "output"]


# ----- the Docker image, built and run with podman --------------------------------------------------


def test_image_runs_sample_by_default(podman: Podman, image: str, package: str) -> None:
    result = podman.run_container(image)
    assert result.returncode == 0, explain(result)
    assert luigi_summary(result.stderr).get("ran successfully", []) == [f"{package}.Sample"], explain(result)


def test_image_runs_any_task(podman: Podman, image: str, package: str) -> None:
    result = podman.run_container(image, "python", "main.py", f"{package}.Evaluate", "--local-scheduler")
    assert result.returncode == 0, explain(result)
    assert f"{package}.Evaluate" in luigi_summary(result.stderr).get("ran successfully", []), explain(result)


def test_image_runs_as_a_non_root_user(podman: Podman, image: str) -> None:
    result = podman.run_container(image, "id", "-u")
    assert result.returncode == 0, explain(result)
    assert result.stdout.strip() not in {"", "0"}, explain(result)


# ----- the image as a cluster: luigid and two workers on a private network ---------------------------


def test_containers_share_a_dag_through_luigid_and_survive_a_killed_worker(
    podman: Podman, image: str, tmp_path: Path
) -> None:
    """luigid (with the shipped conf/luigid.cfg) and two worker containers on an --internal network share one
    workspace; one worker is killed mid-task and the other finishes the DAG, publishing every output once."""
    luigid_cluster_survives_a_killed_worker(podman, image, tmp_path)


@pytest.fixture(scope="module")
def dask_image(podman: Podman, image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's image with dask[distributed] added; removed when the module's tests are done."""
    with image_with_dask(podman, image, tmp_path_factory.mktemp("dask-image")) as tag:
        yield tag


def test_containers_run_a_dag_on_dask_and_survive_a_killed_worker(
    podman: Podman, dask_image: str, tmp_path: Path
) -> None:
    """A Dask scheduler, two worker containers (the project importable in them) and a driver container on an
    --internal network; one worker is killed mid-task, Dask reruns its task on the other, each output once."""
    dask_cluster_survives_a_killed_worker(podman, dask_image, tmp_path)
