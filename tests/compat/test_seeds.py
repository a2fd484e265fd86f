"""The seeds' examples run unchanged after ``import kartcore as gokart`` and write gokart's file names."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest

from tests.compat.seed_projects import (
    BUILD_SAMPLE,
    KARTCORE,
    QUICKSTART,
    RUN_SAMPLE,
    RUN_SAMPLE_ARGV,
    code,
    python,
    write_tutorial_project,
)
from tests.conftest import files_under

EXAMPLE = "Example_8441c59b5ce0113396d53509f19371fb"
SAMPLE_TASK = "SampleTask_22d2ff1bf0b8cac4b3bb40608255a6c4"
LOG_KINDS = [
    ("module_versions", ".txt"),
    ("processing_time", ".pkl"),
    ("random_seed", ".pkl"),
    ("run_record", ".json"),  # kartcore's JSON record, next to gokart's five
    ("task_log", ".pkl"),
    ("task_params", ".pkl"),
]


def seed_tree(name: str) -> list[str]:
    return sorted([f"__main__/{name}.pkl"] + [f"log/{kind}/{name}{ext}" for kind, ext in LOG_KINDS])


def test_quickstart_prints_and_writes_the_seed_tree(tmp_path: Path) -> None:
    (tmp_path / "quickstart.py").write_text(code(QUICKSTART, KARTCORE))
    result = python(tmp_path, "quickstart.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"
    resources = tmp_path / "resources"
    assert files_under(resources) == seed_tree(EXAMPLE)
    with open(resources / "__main__" / f"{EXAMPLE}.pkl", "rb") as file:
        assert pickle.load(file) == "Hello, world!"
    with open(resources / "log" / "random_seed" / f"{EXAMPLE}.pkl", "rb") as file:
        assert pickle.load(file)["seed"] == 1770683860
    with open(resources / "log" / "task_params" / f"{EXAMPLE}.pkl", "rb") as file:
        assert pickle.load(file) == {}
    assert "luigi==" in (resources / "log" / "module_versions" / f"{EXAMPLE}.txt").read_text()


def test_run_sample_from_the_shell(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(code(RUN_SAMPLE, KARTCORE))
    result = python(tmp_path, "sample.py", "SampleTask", "--local-scheduler", "--param=hello")
    assert result.returncode == 0, result.stderr
    assert files_under(tmp_path / "resources") == seed_tree(SAMPLE_TASK)


def test_run_sample_with_argv(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(code(RUN_SAMPLE_ARGV, KARTCORE))
    result = python(tmp_path, "sample.py")
    assert result.returncode == 0, result.stderr
    assert files_under(tmp_path / "resources") == seed_tree(SAMPLE_TASK)


def test_build_sample_with_and_without_debug_logs(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(code(BUILD_SAMPLE, KARTCORE))
    result = python(tmp_path, "sample.py")
    assert result.returncode == 0, result.stderr
    assert files_under(tmp_path / "resources") == seed_tree(SAMPLE_TASK)
    assert "DEBUG" in result.stderr


def _outputs(root: Path) -> dict[str, float]:
    model = root / "resources" / "gokart_example" / "model" / "sample"
    return {path.name: path.stat().st_mtime_ns for path in model.iterdir()}


def test_tutorial_sample_then_main_reuses_sample(tmp_path: Path) -> None:
    write_tutorial_project(tmp_path, KARTCORE)
    first = python(tmp_path, "main.py", "gokart_example.Sample", "--local-scheduler")
    assert first.returncode == 0, first.stderr
    assert list(_outputs(tmp_path)) == ["Sample_cdf55a3d6c255d8c191f5f472da61f99.pkl"]
    sample_before = _outputs(tmp_path)
    second = python(tmp_path, "main.py", "gokart_example.Main", "--local-scheduler")
    assert second.returncode == 0, second.stderr
    summary = second.stderr + second.stdout
    assert "1 complete ones were encountered" in summary and "2 ran successfully" in summary
    outputs = _outputs(tmp_path)
    # gokart 1.12.2 writes exactly these names for this project (the tutorial text quotes
    # StringToSplit_b8a0ce6c..., produced by an older gokart whose TaskInstanceParameter hashed differently).
    assert sorted(outputs) == [
        "Sample_cdf55a3d6c255d8c191f5f472da61f99.pkl",
        "StringToSplit_423a87c33c92f70528e0ba680a5f3116.pkl",
    ]
    for name, mtime in sample_before.items():
        assert outputs[name] == mtime, "Sample was reused from the cache"
    load = (
        "import gokart_example, kartcore; "
        "print(kartcore.build(gokart_example.StringToSplit(task=gokart_example.Sample())))"
    )
    assert python(tmp_path, "-c", load).stdout.strip() == "['sample', 'output']"


def test_tutorial_rerun_reruns_everything_into_the_same_files(tmp_path: Path) -> None:
    write_tutorial_project(tmp_path, KARTCORE)
    assert python(tmp_path, "main.py", "gokart_example.Main", "--local-scheduler").returncode == 0
    before = _outputs(tmp_path)
    write_tutorial_project(tmp_path, KARTCORE, variant="rerun")
    result = python(tmp_path, "main.py", "gokart_example.Main", "--local-scheduler")
    assert result.returncode == 0, result.stderr
    after = _outputs(tmp_path)
    assert set(after) == set(before), "rerun keeps the file names"
    assert all(after[name] > before[name] for name in before if not name.startswith("Main_")), "and rewrites them"


def test_tutorial_version_parameter_gives_new_files_downstream(tmp_path: Path) -> None:
    write_tutorial_project(tmp_path, KARTCORE)
    assert python(tmp_path, "main.py", "gokart_example.Main", "--local-scheduler").returncode == 0
    before = set(_outputs(tmp_path))
    params_log = tmp_path / "resources" / "log" / "task_params"
    main_records_before = {path.name for path in params_log.glob("Main_*")}
    write_tutorial_project(tmp_path, KARTCORE, variant="version")
    result = python(tmp_path, "main.py", "gokart_example.Main", "--local-scheduler")
    assert result.returncode == 0, result.stderr
    new = set(_outputs(tmp_path)) - before
    assert {name.split("_")[0] for name in new} == {"Sample", "StringToSplit"}
    main_records_after = {path.name for path in params_log.glob("Main_*")}
    assert len(main_records_after - main_records_before) == 1, "Main (no output of its own) got a new id too"
    load = "import gokart_example, kartcore; print(kartcore.build(gokart_example.Sample()))"
    assert python(tmp_path, "-c", load).stdout.strip() == "sample output version 1"


@pytest.mark.slow
def test_same_code_under_gokart_writes_the_same_file_names(tmp_path: Path) -> None:
    # find_spec, not import: gokart's TaskOnKart in this process would make luigi's "TaskOnKart" family ambiguous.
    if importlib.util.find_spec("gokart") is None:
        pytest.skip("gokart 1.12.2 (installed with the dev extra) is needed for this comparison")
    from tests.compat.seed_projects import GOKART

    trees = {}
    for import_line in (KARTCORE, GOKART):
        root = tmp_path / ("kartcore" if import_line == KARTCORE else "gokart")
        write_tutorial_project(root, import_line)
        (root / "quickstart.py").write_text(code(QUICKSTART, import_line))
        assert python(root, "quickstart.py").returncode == 0
        result = python(root, "main.py", "gokart_example.Main", "--local-scheduler")
        assert result.returncode == 0, result.stderr
        trees[import_line] = files_under(root / "resources")
    json_records = [path for path in trees[KARTCORE] if path.startswith("log/run_record/")]
    assert [path for path in trees[KARTCORE] if path not in json_records] == trees[GOKART]
    params = [path for path in trees[GOKART] if path.startswith("log/task_params/")]
    assert json_records == [p.replace("task_params", "run_record").replace(".pkl", ".json") for p in params]
