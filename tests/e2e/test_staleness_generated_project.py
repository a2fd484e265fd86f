"""Issue 15 end to end on a generated project: ``kart plan``, ``kart check`` and ``--rerun-stale`` with real
processes on the example DAG (LoadIris -> SplitData -> TrainCentroids -> Evaluate).

The project is generated from this repository and run with this interpreter (kartcore installed here);
``kart`` is the console script of the same environment, run from the project root as a user runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.generated_project import TOOLS_BIN, bake, environment, explain, run

pytestmark = pytest.mark.slow

CHAIN = ("LoadIris", "SplitData", "TrainCentroids", "Evaluate")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = bake(tmp_path_factory.mktemp("bake-staleness"), verify="no")
    package = json.loads((root / ".cruft.json").read_text())["context"]["cookiecutter"]["package_name"]
    return root, package


def main(root: Path, package: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = run([sys.executable, "main.py", f"{package}.Evaluate", "--local-scheduler", *args], cwd=root)
    assert result.returncode == 0, explain(result)
    return result


def kart(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([TOOLS_BIN / "kart", *args], cwd=root, env=environment(PYTHONDONTWRITEBYTECODE="1"))


def outputs(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every output of the example DAG (run records aside): path -> (mtime_ns, bytes)."""
    found = {}
    for path in sorted((root / "resources").rglob("*")):
        if path.is_file() and "log" not in path.relative_to(root / "resources").parts:
            found[str(path.relative_to(root))] = (path.stat().st_mtime_ns, path.read_bytes())
    return found


def actions(root: Path, package: str) -> dict[str, str]:
    result = kart(root, "plan", f"{package}.Evaluate", "--format", "json")
    assert result.returncode == 0, explain(result)
    return {task["task_family"].rsplit(".", 1)[1]: task["action"] for task in json.loads(result.stdout)["tasks"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_plan_check_and_rerun_stale_on_the_example_dag(project: tuple[Path, str]) -> None:
    root, package = project
    sample = root / package / "model" / "sample.py"
    plan_before_run = kart(root, "plan", f"{package}.Evaluate")
    assert plan_before_run.returncode == 0, explain(plan_before_run)
    assert plan_before_run.stdout.splitlines()[-1] == "4 tasks: 4 run, 0 stale, 0 cached, 0 unknown"
    assert not (root / "resources").exists()  # kart plan wrote nothing

    check = kart(root, "check")
    assert check.returncode == 0, explain(check)

    main(root, package)
    assert actions(root, package) == dict.fromkeys(CHAIN, "cached")
    built = outputs(root)
    assert len(built) == 4

    # comments, blank lines, a docstring and formatting: nothing is stale
    edit(sample, '    """Fits a nearest-centroid classifier', '    """Fits (a comment-only change) a classifier')
    edit(
        sample,
        '        train: list[Record] = self.load()["train"]\n',
        '        # the training half\n\n        train: list[Record] = self.load()[ "train" ]\n',
    )
    assert actions(root, package) == dict.fromkeys(CHAIN, "cached")

    # a change to run(): that task and everything downstream, nothing else
    edit(
        sample,
        'species = sorted({str(record["species"]) for record in train})',
        'species = sorted({str(record["species"]) for record in train[: len(train) // 2]})',
    )
    plan = kart(root, "plan", f"{package}.Evaluate")
    assert plan.returncode == 0, explain(plan)
    assert actions(root, package) == {
        "LoadIris": "cached",
        "SplitData": "cached",
        "TrainCentroids": "stale",
        "Evaluate": "stale",
    }
    assert f"code of {package}.model.sample.TrainCentroids changed" in plan.stdout
    time.sleep(0.05)

    main(root, package)  # a plain run changes nothing
    assert outputs(root) == built

    main(root, package, "--rerun-stale")
    after = outputs(root)
    changed = {path for path in built if after[path][0] != built[path][0]}
    assert {Path(path).name.split("_")[0] for path in changed} == {"TrainCentroids", "metrics"}
    assert all(after[path] == built[path] for path in built if path not in changed)
    assert actions(root, package) == dict.fromkeys(CHAIN, "cached")

    # a change to the project's base class makes every task that derives from it stale
    edit(root / package / "utils" / "template.py", 'task_namespace = "', 'retry_count = 1\n    task_namespace = "')
    assert actions(root, package) == dict.fromkeys(CHAIN, "stale")

    markdown = kart(root, "plan", f"{package}.Evaluate", "--format", "markdown")
    assert markdown.returncode == 0 and markdown.stdout.startswith("**4 tasks: 0 run, 4 stale, 0 cached, 0 unknown")


def test_check_reports_a_typo_in_param_ini(project: tuple[Path, str], tmp_path: Path) -> None:
    root, package = project
    param = root / "conf" / "param.ini"
    original = param.read_text(encoding="utf-8")
    try:
        param.write_text(original.replace("test_ratio = 0.3", "test_ration = 0.3"), encoding="utf-8")
        result = kart(root, "check")
    finally:
        param.write_text(original, encoding="utf-8")
    assert result.returncode == 1, explain(result)
    line = next(number for number, text in enumerate(original.splitlines(), 1) if text.startswith("test_ratio"))
    assert result.stdout.splitlines() == [
        f"conf/param.ini:{line}: [{package}.SplitData] has no parameter 'test_ration' (did you mean 'test_ratio'?); "
        "it is ignored",
        "1 problem in conf/param.ini",
    ]
    outside = kart(tmp_path, "check")
    assert outside.returncode == 2 and outside.stderr.startswith("kart: no kartcore project here")
