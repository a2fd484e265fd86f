"""``run()`` with gokart's ``--tree-info-mode``/``--tree-info-output-path``: the tree is written, nothing runs."""

from __future__ import annotations

from pathlib import Path

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.execution.run import run_command_line


class _Leaf(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_tree_option"

    def run(self) -> None:
        self.dump("leaf")


class _Root(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_tree_option"
    size = luigi.IntParameter(default=1)

    def requires(self) -> kartcore.TaskOnKart[str]:
        return _Leaf()

    def run(self) -> None:
        self.dump("root")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", str(tmp_path))
    return tmp_path


def _run(*options: str) -> int:
    return run_command_line(["kart_test_tree_option._Root", "--local-scheduler", "--no-lock", *options])


def test_simple_writes_the_pending_tree_and_runs_nothing(workspace: Path) -> None:
    assert _run("--tree-info-mode=simple", "--tree-info-output-path=dag/tree.txt") == 0
    assert sorted(p.relative_to(workspace).as_posix() for p in workspace.rglob("*") if p.is_file()) == ["dag/tree.txt"]
    text = (workspace / "dag" / "tree.txt").read_text()
    assert "(PENDING) _Root[" in text and "(PENDING) _Leaf[" in text and "size" not in text


def test_all_adds_the_details_and_the_section_works_too(workspace: Path) -> None:
    luigi.configuration.get_config().set("tree_info", "mode", "all")
    assert _run("--size=3") == 0
    text = (workspace / "tree.txt").read_text()
    assert "(PENDING) _Root[" in text and "size" in text


def test_without_a_mode_the_task_runs(workspace: Path) -> None:
    assert _run() == 0
    assert not (workspace / "tree.txt").exists()
    assert _Root(workspace_directory=str(workspace)).output().load() == "root"


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--tree-info-mode=bogus"], "--tree-info-mode must be simple or all, not 'bogus'; nothing was run"),
        (["--tree-info-mode=all", "--tree-info-output-path=../out.txt"], "escapes the workspace"),
    ],
)
def test_a_bad_option_exits_2_and_writes_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str], options: list[str], words: str
) -> None:
    assert _run(*options) == 2
    assert words in capsys.readouterr().err
    assert list(workspace.rglob("*")) == []
    assert not (workspace.parent / "out.txt").exists()
