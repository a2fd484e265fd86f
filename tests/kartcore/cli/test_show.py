"""``kart show``: where a task's output and records are, whether they exist, and a preview."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from kartcore.cli import show
from kartcore.cli.show import preview_text
from tests import canary
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


# ----- issue 12: bounded previews (17), failed runs (16), untrusted pickles (2) ------------------------------


def test_show_of_a_big_pickle_reads_a_bounded_amount(
    ran_project: Path, monkeypatch: pytest.MonkeyPatch, bytes_read: list[int]
) -> None:
    run_main(ran_project, "toy_pipeline.Load", "--size=2000000")  # a list of 2M ints: about 10 MB pickled
    tasks = ran_project / "resources" / "toy_pipeline" / "tasks"
    (output,) = [path for path in tasks.glob("Load_*.pkl") if path.stat().st_size > 5_000_000]
    monkeypatch.setattr(show, "PREVIEW_BYTES", 64 * 1024)
    bytes_read[0] = 0
    tracemalloc.start()
    try:
        result = kart("show", "toy_pipeline.Load", "--size=2000000", cwd=ran_project)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.stderr
    assert "(not previewed: the file holds 9." in result.stdout or "(not previewed: the file holds 1" in result.stdout
    assert "a .pkl file cannot be shown from its first 64.0 KiB" in result.stdout
    assert bytes_read[0] < 1024 * 1024 < output.stat().st_size, bytes_read[0]
    # Loading it would take ~70 MiB of Python objects (2M ints in a list); the bound leaves room for what the first
    # `kart show` of a fresh checkout allocates besides (imports compiling their .pyc files: ~9 MiB seen in CI).
    assert peak < 32 * 1024 * 1024, f"peak Python memory {peak} while showing a {output.stat().st_size} B pickle"


def test_show_of_a_big_csv_shows_its_first_rows(
    ran_project: Path, monkeypatch: pytest.MonkeyPatch, bytes_read: list[int]
) -> None:
    config = ran_project / "conf" / "param.ini"
    config.write_text(config.read_text() + "\n[toy_pipeline.Table]\nrows = 300000\n")  # show's --rows is its own
    run_main(ran_project, "toy_pipeline.Table")
    monkeypatch.setattr(show, "PREVIEW_BYTES", 64 * 1024)
    bytes_read[0] = 0
    result = kart("show", "toy_pipeline.Table", "--rows", "2", cwd=ran_project)
    out = result.stdout
    assert "  pandas DataFrame, shape (2, 2)" in out
    assert re.search(r"^  \(the beginning of a \d+\.\d MiB file\)$", out, re.M), out
    assert bytes_read[0] < 1024 * 1024, bytes_read[0]


def _gokart_style(project: Path, family: str) -> str:
    """Leave only the .pkl records of ``family``'s run (as gokart and older kartcore do): its unique id."""
    (record,) = (project / "resources" / "log" / "task_params").glob(f"{family}_*.pkl")
    unique_id = record.stem.split("_")[-1]
    (project / "resources" / "log" / "run_record" / f"{family}_{unique_id}.json").unlink(missing_ok=True)
    return unique_id


def test_show_and_history_present_a_failed_run_as_not_finished(ran_project: Path) -> None:
    unique_id = _gokart_style(ran_project, "Load")
    for kind in ("processing_time", "task_log"):  # what a failed run of gokart leaves: task_params only
        (ran_project / "resources" / "log" / kind / f"Load_{unique_id}.pkl").unlink()
    for output in (ran_project / "resources" / "toy_pipeline" / "tasks").glob(f"Load_{unique_id}.pkl"):
        output.unlink()
    out = kart("show", "toy_pipeline.Load", cwd=ran_project).stdout
    assert re.search(r"^last run +not finished \(started 20\d\d-[^;]+; it failed or is still running\)$", out, re.M)
    assert re.search(r"^processing time  -$", out, re.M)
    history = kart("history", "toy_pipeline.Load", cwd=ran_project).stdout
    (row,) = [line for line in history.splitlines() if line.startswith(unique_id)]
    assert re.fullmatch(rf"{unique_id}  not finished +- +no +size=10", row), row


@pytest.mark.skipif(not canary.needs_root, reason="changing a file's owner needs root")
def test_show_never_unpickles_a_foreign_file_with_the_setting_on(ran_project: Path) -> None:
    config = ran_project / "conf" / "param.ini"
    config.write_text(config.read_text().replace("[TaskOnKart]\n", "[TaskOnKart]\nrefuse_foreign_pickles = true\n"))
    unique_id = _gokart_style(ran_project, "Load")
    canary.plant(next((ran_project / "resources" / "toy_pipeline" / "tasks").glob(f"Load_{unique_id}.pkl")))
    for kind in ("task_params", "processing_time", "task_log"):
        canary.plant(ran_project / "resources" / "log" / kind / f"Load_{unique_id}.pkl")
    canary.reset()
    show_out = kart("show", "toy_pipeline.Load", cwd=ran_project).stdout
    history_out = kart("history", "toy_pipeline.Load", cwd=ran_project).stdout
    assert canary.TRIPPED == []
    assert "(cannot load it: refusing to load" in show_out and "owned by uid 12345" in show_out
    assert re.search(r"^last run +untrusted record, not read: refusing to load", show_out, re.M)
    assert "(untrusted record: not read)" in history_out
    assert "1 untrusted record not read: refusing to load" in history_out
