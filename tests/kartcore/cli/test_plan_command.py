"""``kart plan`` (kartcore/cli/plan.py) on the toy project: what the next run does and why; it never writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.kartcore.cli.conftest import PACKAGE, kart, run_main


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the project (bytecode caches aside) with its mtime and size."""
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def forget_package() -> None:
    """Drop the toy package from this process, so the next command imports the edited source."""
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def edit(project: Path, old: str, new: str) -> None:
    path = project / PACKAGE / "tasks.py"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    forget_package()


def lines_by_class(output: str) -> dict[str, str]:
    return {line.split()[1].split("[")[0].rsplit(".", 1)[1]: line.split()[0] for line in output.splitlines()[:-1]}


def test_a_fresh_project_runs_everything_and_nothing_is_written(project: Path) -> None:
    before = snapshot(project)
    result = kart("plan", f"{PACKAGE}.Report", cwd=project)
    assert result.exit_code == 0, result.output
    assert lines_by_class(result.output) == dict.fromkeys(("Load", "Split", "Train", "Report"), "run")
    assert result.output.splitlines()[-1] == "4 tasks: 4 run, 0 stale, 0 cached, 0 unknown"
    assert snapshot(project) == before


def test_an_edited_run_makes_that_task_and_its_dependents_stale_and_plan_writes_nothing(ran_project: Path) -> None:
    edit(ran_project, 'self.dump(sum(self.load()["train"]))', 'self.dump(sum(self.load()["train"]) * 2)')
    before = snapshot(ran_project)
    result = kart("plan", f"{PACKAGE}.Report", cwd=ran_project)
    assert result.exit_code == 0, result.output
    assert lines_by_class(result.output) == {"Load": "cached", "Split": "cached", "Train": "stale", "Report": "stale"}
    assert f"code of {PACKAGE}.tasks.Train changed" in result.output
    assert result.output.splitlines()[-1] == (
        "4 tasks: 0 run, 2 stale, 2 cached, 0 unknown; the stale tasks run again only with --rerun-stale"
    )
    assert snapshot(ran_project) == before
    with_flag = kart("plan", f"{PACKAGE}.Report", "--rerun-stale", "--format", "json", cwd=ran_project)
    data = json.loads(with_flag.output)
    assert data["rerun_stale"] is True and data["counts"] == {"run": 0, "stale": 2, "cached": 2, "unknown": 0}
    assert [task["runs"] for task in data["tasks"]] == [False, False, True, True]
    assert snapshot(ran_project) == before


def test_a_comment_only_edit_changes_nothing(ran_project: Path) -> None:
    old = "    def run(self):\n        self.dump(sum("
    edit(ran_project, old, "    def run(self):  # sums\n        # the training half only\n\n        self.dump(sum(")
    result = kart("plan", f"{PACKAGE}.Report", cwd=ran_project)
    assert set(lines_by_class(result.output).values()) == {"cached"}


def test_parameters_on_the_command_line_select_the_tasks(ran_project: Path) -> None:
    result = kart("plan", f"{PACKAGE}.Report", f"--{PACKAGE.replace('_', '-')}.Split-ratio=0.9", cwd=ran_project)
    assert result.exit_code == 0, result.output
    assert lines_by_class(result.output) == {"Load": "cached", "Split": "run", "Train": "run", "Report": "run"}


def test_markdown_for_a_job_summary(ran_project: Path) -> None:
    result = kart("plan", f"{PACKAGE}.Report", "-f", "markdown", cwd=ran_project)
    lines = result.output.splitlines()
    assert lines[0] == "**4 tasks: 0 run, 0 stale, 4 cached, 0 unknown**"
    assert lines[2:4] == ["| task | next run | why |", "| --- | --- | --- |"]
    assert len(lines) == 8 and all(line.startswith("| `toy_pipeline.") for line in lines[4:])


def test_rerun_stale_on_main_py_then_nothing_is_stale(ran_project: Path) -> None:
    edit(ran_project, 'self.dump(sum(self.load()["train"]))', 'self.dump(sum(self.load()["train"]) * 2)')
    run_main(ran_project, f"{PACKAGE}.Report", "--rerun-stale")
    forget_package()
    result = kart("plan", f"{PACKAGE}.Report", cwd=ran_project)
    assert set(lines_by_class(result.output).values()) == {"cached"}, result.output


def test_bad_input_exits_2_with_one_line_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = snapshot(project)
    unknown = kart("plan", f"{PACKAGE}.Reprot", cwd=project)
    assert unknown.exit_code == 2
    assert unknown.output.strip() == f"kart: unknown task '{PACKAGE}.Reprot'. Did you mean: {PACKAGE}.Report?"
    bad_value = kart("plan", f"{PACKAGE}.Load", "--size=big", cwd=project)
    assert bad_value.exit_code == 2 and "invalid value 'big' for --size" in bad_value.output
    assert snapshot(project) == before
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = kart("plan", f"{PACKAGE}.Report", cwd=outside)
    assert result.exit_code == 2
    assert result.output.startswith("kart: no kartcore project here: looked for pyproject.toml and main.py in ")
    assert list(outside.iterdir()) == []
