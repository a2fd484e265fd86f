"""task_history(): the cached runs of a task class, read from the run records, as a DataFrame."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import luigi
import pandas

import kartcore
from kartcore.history import class_name_of, runs, task_history, workspace_of


class Scored(kartcore.TaskOnKart):
    task_namespace = "history_test"
    alpha = luigi.FloatParameter(default=0.1)
    tag = luigi.Parameter(default="x")

    def run(self) -> None:
        self.dump(self.alpha * 2)


class Scored_Extra(kartcore.TaskOnKart):  # starts like "Scored_": must not match
    def run(self) -> None:
        self.dump(0)


class Clash(kartcore.TaskOnKart):
    finished = luigi.Parameter(default="no")  # clashes with a history column

    def run(self) -> None:
        self.dump(1)


def test_every_run_is_a_row_with_its_parameters(workspace: Path) -> None:
    kartcore.build(Scored(alpha=0.1))
    time.sleep(0.01)
    kartcore.build(Scored(alpha=0.5, tag="y"))
    kartcore.build(Scored_Extra())
    frame = task_history(Scored)
    assert list(frame.columns) == [
        "unique_id",
        "started",
        "finished",
        "processing_time",
        "cached",
        "outputs",
        "alpha",
        "tag",
    ]
    assert frame["alpha"].tolist() == ["0.1", "0.5"], "oldest first"
    assert frame["tag"].tolist() == ["x", "y"]
    assert frame["unique_id"].tolist() == [
        Scored(alpha=0.1).make_unique_id(),
        Scored(alpha=0.5, tag="y").make_unique_id(),
    ]
    assert frame["cached"].tolist() == [True, True]
    assert pandas.api.types.is_datetime64_any_dtype(frame["finished"])
    assert frame["processing_time"].dtype == "float64" and (frame["processing_time"] >= 0).all()
    assert frame["outputs"][0] == [Scored(alpha=0.1).output().path()]
    assert (frame["finished"] >= frame["started"]).all()


def test_names_families_and_classes_find_the_same_runs(workspace: Path) -> None:
    kartcore.build(Scored())
    assert class_name_of("history_test.Scored") == class_name_of(Scored) == class_name_of("Scored") == "Scored"
    assert class_name_of("unknown.Thing") == "Thing"
    assert len(task_history("history_test.Scored")) == len(task_history("Scored")) == 1


def test_a_run_whose_output_was_deleted_is_not_cached(workspace: Path) -> None:
    kartcore.build(Scored())
    os.remove(Scored().output().path())
    (run,) = runs(Scored)
    assert not run.cached and run.processing_time is not None


def test_missing_records_leave_gaps_not_errors(workspace: Path) -> None:
    kartcore.build(Scored())
    unique_id = Scored().make_unique_id()
    os.remove(workspace / "log" / "processing_time" / f"Scored_{unique_id}.pkl")
    os.remove(workspace / "log" / "task_log" / f"Scored_{unique_id}.pkl")
    (run,) = runs(Scored)
    assert run.processing_time is None and run.finished is None and run.outputs == () and not run.cached
    assert isinstance(run.started, datetime.datetime)
    frame = task_history(Scored)
    assert frame["processing_time"].isna().all() and frame["finished"].isna().all()


def test_no_runs_is_an_empty_frame_with_the_columns(workspace: Path) -> None:
    frame = task_history(Scored)
    assert frame.empty
    assert list(frame.columns) == ["unique_id", "started", "finished", "processing_time", "cached", "outputs"]


def test_parameters_named_like_a_column_are_prefixed(workspace: Path) -> None:
    kartcore.build(Clash(finished="yes"))
    frame = task_history(Clash)
    assert frame["param_finished"].tolist() == ["yes"]
    assert pandas.api.types.is_datetime64_any_dtype(frame["finished"])


def test_workspace_follows_the_config(tmp_path: Path) -> None:
    assert workspace_of(Scored) == "./resources/"
    config = tmp_path / "param.ini"
    config.write_text("[TaskOnKart]\nworkspace_directory = ./shared/\n")
    kartcore.add_config(str(config))
    assert workspace_of(Scored) == "./shared/"
    config.write_text(
        "[TaskOnKart]\nworkspace_directory = ./shared/\n[history_test.Scored]\nworkspace_directory = ./own/\n"
    )
    kartcore.add_config(str(config))
    assert workspace_of(Scored) == "./own/"
    kartcore.build(Scored())
    assert len(task_history(Scored)) == 1 and len(task_history(Scored, workspace="./shared/")) == 0


def test_task_history_does_not_import_pandas_until_called(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import sys, kartcore.history; assert 'pandas' not in sys.modules, 'pandas loaded'"
    completed = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
