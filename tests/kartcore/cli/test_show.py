"""``kart show``: where a task's output and records are, whether they exist, and a preview."""

from __future__ import annotations

import re
from pathlib import Path

from kartcore.cli.show import preview_text
from tests.kartcore.cli.conftest import kart, run_main


def test_show_a_complete_task(ran_project: Path) -> None:
    result = kart("show", "toy_pipeline.Report", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert re.search(r"^task        toy_pipeline\.Report\[[0-9a-f]{32}\]$", out, re.M)
    assert "state       complete" in out
    assert f"project     {ran_project.resolve()}" in out
    assert re.search(r"^  resources/report/summary_[0-9a-f]{32}\.json  exists, \d+ B, 20", out, re.M)
    for kind in ("task_params", "random_seed", "module_versions", "processing_time", "task_log"):
        assert re.search(rf"^  {kind} +resources/log/{kind}/Report_[0-9a-f]{{32}}\.(pkl|txt)  exists", out, re.M)
    assert re.search(r"^processing time  \d+\.\d+s$", out, re.M)
    assert "  dict: {'model': 15, 'test_size': 4}" in out  # sum(range(6)) with ratio 0.6 from conf
    assert "requires    toy_pipeline.Train[" in out


def test_show_a_pending_task_says_what_is_missing(ran_project: Path) -> None:
    result = kart("show", "toy_pipeline.Split", "--ratio=0.9", cwd=ran_project)
    out = result.stdout
    assert "state       pending" in out
    assert "parameters  ratio=0.9" in out
    assert re.search(r"^  resources/toy_pipeline/tasks/Split_[0-9a-f]{32}\.pkl  missing$", out, re.M)
    assert "(no output yet: the task has not run with these parameters)" in out


def test_show_previews_the_head_of_a_frame(ran_project: Path) -> None:
    run_main(ran_project, "toy_pipeline.Table")
    result = kart("show", "toy_pipeline.Table", "--rows", "3", cwd=ran_project)
    assert "  pandas DataFrame, shape (12, 2)" in result.stdout
    assert "  x  square" in result.stdout
    assert "  2  2       4" in result.stdout
    assert "  3  3" not in result.stdout
    quiet = kart("show", "toy_pipeline.Table", "--no-preview", cwd=ran_project)
    assert "preview of" not in quiet.stdout
    assert "table/frame_" in quiet.stdout


def test_preview_is_bounded() -> None:
    text = preview_text(list(range(10_000)), rows=4)
    assert text == "list: [0, 1, 2, 3, ...]"
    long = preview_text("x" * 100_000)
    assert len(long) < 600
    nested = preview_text({"a": {"b": {"c": {"d": {"e": 1}}}}})
    assert nested.startswith("dict: {'a': {'b': {'c': {'d': {...}}}}}")
