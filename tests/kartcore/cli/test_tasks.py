"""Resolving ``pkg.Task --param=value`` inside a project, exactly as ``python main.py`` would."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kartcore.cli.project import ProjectNotFoundError
from kartcore.cli.tasks import TaskResolutionError, resolved_task
from kartcore.inspection.tree import walk_dag
from tests.kartcore.cli.conftest import kart
from tests.kartcore.execution.test_run import BROKEN_TASKS


def test_the_task_gets_its_parameters_from_the_command_line_and_conf(project: Path) -> None:
    with resolved_task("toy_pipeline.Split", [], start=project) as resolved:
        assert resolved.project.root == project.resolve()
        assert resolved.task.ratio == 0.6  # [toy_pipeline.Split] in conf/param.ini
        assert resolved.task.workspace_directory == "./resources/"
        assert os.getcwd() == str(project.resolve()), "paths are relative to the project root, as under main.py"
    with resolved_task("toy_pipeline.Split", ["--ratio=0.25"], start=project) as resolved:
        assert resolved.task.ratio == 0.25
    with resolved_task("toy_pipeline.Split", ["--ratio", "0.75"], start=project) as resolved:
        assert resolved.task.ratio == 0.75


def test_family_options_reach_tasks_created_by_requires(project: Path) -> None:
    with resolved_task("toy_pipeline.Report", ["--toy-pipeline.Split-ratio=0.2"], start=project) as resolved:
        dag = walk_dag(resolved.task)
        ratios = [task.ratio for task in dag.tasks.values() if type(task).__name__ == "Split"]
    assert ratios == [0.2]


def test_working_directory_and_sys_path_are_restored(project: Path, tmp_path: Path) -> None:
    before_cwd, before_path = os.getcwd(), list(sys.path)
    with resolved_task("toy_pipeline.Load", [], start=project / "toy_pipeline"):
        assert str(project.resolve()) in sys.path
    assert os.getcwd() == before_cwd
    assert sys.path == before_path


def test_a_project_with_the_same_package_name_elsewhere_is_imported_afresh(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for path in project.rglob("*"):
        if path.is_file():
            target = other / path.relative_to(project)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text().replace("default=10", "default=99"))
    with resolved_task("toy_pipeline.Load", [], start=project) as resolved:
        assert resolved.task.size == 10
    with resolved_task("toy_pipeline.Load", [], start=other) as resolved:
        assert resolved.task.size == 99


def test_unknown_task_suggests_close_matches(project: Path) -> None:
    expected = r"unknown task 'toy_pipeline.Reprot'. Did you mean: .*Report"
    with pytest.raises(TaskResolutionError, match=expected), resolved_task("toy_pipeline.Reprot", [], start=project):
        pass
    result = kart("tree", "toy_pipeline.Spilt", cwd=project)
    assert result.exit_code == 2
    assert result.stderr.startswith("kart: unknown task 'toy_pipeline.Spilt'. Did you mean: toy_pipeline.Split")


def test_unknown_task_without_close_match_lists_the_projects_tasks(project: Path) -> None:
    result = kart("show", "toy_pipeline.Zzzzzzzzzz", cwd=project)
    assert result.exit_code == 2
    assert "toy_pipeline does not define or import it" in result.stderr
    assert "toy_pipeline.Report" in result.stderr


def test_unknown_parameter_is_named_with_a_suggestion(project: Path) -> None:
    result = kart("tree", "toy_pipeline.Split", "--raito=0.1", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == "kart: task toy_pipeline.Split has no parameter --raito. Did you mean --ratio?\n"
    result = kart("tree", "toy_pipeline.Report", "--ratio=0.1", cwd=project)
    assert "has no parameter --ratio. Did you mean --toy-pipeline.Split-ratio?" in result.stderr
    result = kart("clean", "toy_pipeline.Load", "--nothing-like-it", cwd=project)
    assert "has no parameter --nothing-like-it. Its parameters: --size" in result.stderr


def test_invalid_parameter_value_is_named(project: Path) -> None:
    result = kart("tree", "toy_pipeline.Split", "--ratio=abc", cwd=project)
    assert result.exit_code == 2
    assert "kart: task toy_pipeline.Split: invalid value 'abc' for --ratio" in result.stderr
    result = kart("tree", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=abc", cwd=project)
    assert "invalid value 'abc' for --toy-pipeline.Split-ratio" in result.stderr


def test_missing_required_parameter_is_named(project: Path) -> None:
    result = kart("show", "toy_pipeline.Greet", cwd=project)
    assert result.exit_code == 2
    assert "kart: task toy_pipeline.Greet needs --name" in result.stderr
    assert kart("show", "toy_pipeline.Greet", "--name=ann", "--no-preview", cwd=project).exit_code == 0


def test_stray_argument_is_refused(project: Path) -> None:
    result = kart("tree", "toy_pipeline.Split", "0.5", cwd=project)
    assert result.exit_code == 2
    assert "unexpected argument '0.5'" in result.stderr


def test_outside_a_project_says_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError), resolved_task("toy_pipeline.Load", [], start=tmp_path):
        pass
    for command in ("tree", "show", "history", "clean"):
        result = kart(command, "toy_pipeline.Load", cwd=tmp_path)
        assert result.exit_code == 2, command
        assert "no kartcore project here: looked for pyproject.toml and main.py in" in result.stderr


def test_a_package_that_fails_to_import_is_reported(project: Path) -> None:
    (project / "toy_pipeline" / "tasks.py").write_text("import luigi\nraise RuntimeError('broken on purpose')\n")
    result = kart("tree", "toy_pipeline.Load", cwd=project)
    assert result.exit_code == 2
    assert "cannot import the project's package 'toy_pipeline'" in result.stderr
    assert "RuntimeError: broken on purpose" in result.stderr
    assert "tasks.py:2" in result.stderr


def add_tasks(project: Path) -> Path:
    tasks = project / "toy_pipeline" / "tasks.py"
    tasks.write_text(tasks.read_text() + BROKEN_TASKS)
    return tasks


@pytest.mark.parametrize("command", ["tree", "show", "clean"])
@pytest.mark.parametrize("method", ["requires", "output"])
def test_a_requires_or_output_that_raises_is_one_line_naming_task_and_method(
    project: Path, command: str, method: str
) -> None:
    tasks = add_tasks(project)
    family = "BadRequires" if method == "requires" else "BadOutput"
    raising = f'raise ValueError("{method} broke on purpose")'
    [line] = [number for number, text in enumerate(tasks.read_text().splitlines(), 1) if text.strip() == raising]
    result = kart(command, f"toy_pipeline.{family}", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == (
        f"kart: task toy_pipeline.{family}: {method}() raised ValueError: {method} broke on purpose "
        f"(at {tasks.resolve()}:{line})\n"
    )
    assert not (project / "resources").exists()


def test_history_of_a_task_whose_requires_raises_still_lists_its_runs(project: Path) -> None:
    add_tasks(project)
    result = kart("history", "toy_pipeline.BadRequires", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("no runs of toy_pipeline.BadRequires recorded in")


def test_a_task_parameter_named_n_wins_over_luigis_no_lock(project: Path) -> None:
    import luigi.interface

    add_tasks(project)
    for given in (["--n=5"], ["--n", "5"]):
        with resolved_task("toy_pipeline.Count", given, start=project) as resolved:
            assert resolved.task.n == 5
            assert luigi.interface.core().no_lock is False
    assert kart("tree", "toy_pipeline.Count", "--n=5", cwd=project).exit_code == 0
    result = kart("tree", "toy_pipeline.Count", "--no-l", cwd=project)
    assert (result.exit_code, result.stderr) == (
        2,
        "kart: task toy_pipeline.Count has no parameter --no-l. Did you mean --no-lock?\n",
    )
