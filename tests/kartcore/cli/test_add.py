"""``kart add task``: a task module, its unit test and its export, in a project that ``kart new`` generated.

The project is generated once per module (verify=no) and copied for each test. After ``kart add task`` its
own tests must still pass and ``ruff check`` must stay clean, run the way the template's hooks run them:
this interpreter, PYTHONPATH holding the bundled runtime and the project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kartcore.cli import add
from kartcore.cli.app import main

RUFF = Path(sys.executable).with_name("ruff")
MYPY = Path(sys.executable).with_name("mypy")
PACKAGE = "kart_pipeline"


def generate(output: Path, *answers: str) -> Path:
    result = CliRunner().invoke(main, ["new", "--no-input", "-o", str(output), "verify=no", *answers])
    assert result.exit_code == 0, result.output
    return output / result.stdout.split("Created ", 1)[1].splitlines()[0].rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("generated"))


@pytest.fixture
def project(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the generated project, and the working directory."""
    copy = tmp_path / generated.name
    shutil.copytree(generated, copy)
    monkeypatch.chdir(copy)
    return copy


def kart_add(*args: str) -> Result:
    return CliRunner().invoke(main, ["add", "task", *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def checked(command: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    """Run a check in the project as the template's verification does; fail with its output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONPATH"] = os.pathsep.join([str(project / "vendor" / "gokart-core"), str(project)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return result


def project_checks_pass(project: Path) -> str:
    checked([str(RUFF), "check", "--no-cache", "."], project)
    return checked([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project).stdout


# ----- what it writes -----------------------------------------------------------------------------


def test_a_task_without_requirement_gets_its_module_test_and_export(project: Path) -> None:
    result = kart_add("TrainModel")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"wrote {PACKAGE}/model/train_model.py",
        "wrote tests/test_train_model.py",
        f"wrote {PACKAGE}/__init__.py",
        f"Run it: python main.py {PACKAGE}.TrainModel --local-scheduler",
    ]
    module = (project / PACKAGE / "model" / "train_model.py").read_text()
    assert f"from {PACKAGE}.utils.template import GokartTask\n" in module
    assert "class TrainModel(GokartTask[list[int]]):" in module
    assert "self.dump(" in module
    test = (project / "tests" / "test_train_model.py").read_text()
    assert f"from {PACKAGE}.model.train_model import TrainModel\n" in test
    assert "kartcore.build(TrainModel())" in test
    assert "(workspace: Path)" in test
    init = (project / PACKAGE / "__init__.py").read_text()
    assert f"from {PACKAGE}.model.train_model import TrainModel\n" in init
    assert '__all__ = ["Evaluate", "LoadIris", "Sample", "SplitData", "TrainCentroids", "TrainModel"]\n' in init
    assert "passed" in project_checks_pass(project)


def test_a_task_that_requires_another_loads_it_and_everything_still_passes(project: Path) -> None:
    assert kart_add("Report", "--requires", "Evaluate").exit_code == 0  # defined in model/sample.py
    assert kart_add("Features").exit_code == 0
    assert kart_add("Model", "--requires", "Features").exit_code == 0  # defined by kart add
    report = (project / PACKAGE / "model" / "report.py").read_text()
    assert f"from {PACKAGE}.model.sample import Evaluate\n" in report
    assert "    def requires(self) -> Evaluate:\n        return Evaluate()\n" in report
    assert "data = self.load()" in report
    model = (project / PACKAGE / "model" / "model.py").read_text()
    assert f"from {PACKAGE}.model.features import Features\n" in model
    out = project_checks_pass(project)
    assert "16 passed" in out, out  # the 12 generated tests and one or two per added task
    run = checked([sys.executable, "main.py", f"{PACKAGE}.Model", "--local-scheduler"], project)
    assert f"{PACKAGE}.Model" in run.stderr
    assert list((project / "resources" / PACKAGE / "model" / "model").glob("Model_*.pkl"))


def test_the_added_code_passes_the_projects_mypy(project: Path) -> None:
    assert kart_add("Features").exit_code == 0
    assert kart_add("Report", "--requires", "Features").exit_code == 0
    checked([str(MYPY), "--cache-dir", str(project.parent / "mypy-cache")], project)


def test_exports_stay_in_ruff_order_with_digits_and_many_tasks(project: Path) -> None:
    for name in ("Step10", "Step2", "Alpha", "Zeta", "AlphaBeta", "HTTPSource"):
        assert kart_add(name).exit_code == 0, name
    init = (project / PACKAGE / "__init__.py").read_text()
    order = [line.split(" import ")[0].rsplit(".", 1)[-1] for line in init.splitlines() if line.startswith("from ")]
    assert order == ["alpha", "alpha_beta", "http_source", "sample", "step2", "step10", "zeta"]
    checked([str(RUFF), "check", "--no-cache", "."], project)


def test_a_long_package_name_gets_wrapped_imports_that_ruff_accepts(tmp_path: Path, monkeypatch) -> None:
    project = generate(tmp_path, "project_name=" + "p" * 100)
    monkeypatch.chdir(project / ("p" * 100))  # from a subdirectory: the project is found upwards
    assert kart_add("Features", "--requires", "Sample").exit_code == 0
    module = (project / ("p" * 100) / "model" / "features.py").read_text()
    assert f"from {'p' * 100}.model.sample import (\n    Sample,\n)\n" in module
    checked([str(RUFF), "check", "--no-cache", "."], project)


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("TrainModel", "train_model"),
        ("HTTPSource", "http_source"),
        ("Step2Data", "step2_data"),
        ("A", "a"),
        ("ModelV2", "model_v2"),
        ("XGBoostModel", "xg_boost_model"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert add.snake_case(name) == snake


def test_exported_creates_all_when_the_package_has_none() -> None:
    text = '"""Pkg."""\n\nfrom pkg.model.sample import Sample  # noqa: F401\n'
    assert add.exported(text, "pkg", "pkg.model.zeta", "Zeta") == (
        '"""Pkg."""\n\nfrom pkg.model.sample import Sample  # noqa: F401\nfrom pkg.model.zeta import Zeta\n\n'
        '__all__ = ["Sample", "Zeta"]\n'
    )
    assert add.exported('"""Pkg."""\n', "pkg", "pkg.model.a", "A") == (
        '"""Pkg."""\n\nfrom pkg.model.a import A\n\n__all__ = ["A"]\n'
    )


# ----- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trainModel"], "task name 'trainModel' must be a CamelCase Python identifier"),
        (["Train_Model"], "task name 'Train_Model' must be a CamelCase Python identifier"),
        (["2Fast"], "must be a CamelCase Python identifier"),
        (["None"], "must be a CamelCase Python identifier"),
        (["Import"], "gives the module name 'import', a Python keyword"),
        (["Sample"], f"a class Sample exists already in {PACKAGE}/model/sample.py"),
        (["GokartTask"], "must be a CamelCase Python identifier"),
        # the test imports pathlib.Path and the module typing.Any: a task of that name would shadow them (ruff F811)
        (["Path"], "task name 'Path' is a name the task's module or test uses already (an import or a builtin)"),
        (["Any"], "task name 'Any' is a name the task's module or test uses already"),
        (["Exception"], "task name 'Exception' is a name the task's module or test uses already"),
        (["Features", "--requires", "Nope"], "the project defines no task Nope (its tasks: Evaluate, LoadIris, "),
        (["Features", "--requires", "GokartTask"], "that is the base class of the project's tasks"),
    ],
)
def test_refusals_say_why_and_write_nothing(project: Path, args: list[str], message: str) -> None:
    before = snapshot(project)
    result = kart_add(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kart: ")
    assert message in result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        (f"{PACKAGE}/model/features.py", f"{PACKAGE}/model/features.py exists already"),
        ("tests/test_features.py", "tests/test_features.py exists already"),
    ],
)
def test_an_existing_module_or_test_is_never_overwritten(project: Path, existing: str, message: str) -> None:
    (project / existing).write_text("# mine\n")
    before = snapshot(project)
    result = kart_add("Features")
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(project) == before


def test_a_class_that_is_not_a_task_cannot_be_required(project: Path) -> None:
    (project / PACKAGE / "utils" / "shapes.py").write_text('"""Shapes."""\n\n\nclass Point:\n    x = 0\n')
    result = kart_add("Features", "--requires", "Point")
    assert result.exit_code == 2
    assert f"Point in {PACKAGE}/utils/shapes.py is not a task" in result.stderr


def test_outside_a_project_it_says_what_it_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = kart_add("Features")
    assert result.exit_code == 2
    assert f"no kartcore project here: looked for pyproject.toml and main.py in {tmp_path.resolve()}" in result.stderr
    assert list(tmp_path.iterdir()) == []
