"""past_runs: restore() and get_processing_time() read the JSON run record first; pickles only without one."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.task import past_runs
from tests.run_records import run_record_path, write_run_record


class Timed(kartcore.TaskOnKart):
    task_namespace = "past_runs"
    size = luigi.IntParameter(default=3)

    def run(self) -> None:
        self.task_log["note"] = "kept"
        self.dump(list(range(self.size)))


def test_the_json_record_gives_time_and_parameters(workspace: Path) -> None:
    kartcore.build(Timed(size=7))
    write_run_record(Timed(size=7), processing_time=2.25)
    assert Timed(size=7).get_processing_time() == 2.25
    assert Timed.restore(Timed(size=7).make_unique_id()).size == 7
    assert Timed(size=7).get_task_log()["note"] == "kept"  # the user's objects are only in the pickle


def test_without_a_json_record_the_pickles_are_read(workspace: Path) -> None:
    kartcore.build(Timed(size=5))
    run_record_path(Timed(size=5)).unlink(missing_ok=True)
    assert isinstance(Timed(size=5).get_processing_time(), float)
    assert Timed.restore(Timed(size=5).make_unique_id()).size == 5


def test_a_run_that_never_happened(workspace: Path) -> None:
    assert Timed(size=9).get_processing_time() == "unknown"
    assert Timed(size=9).get_task_log() == {}


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"format": 2, "unique_id": "x"}),
        json.dumps({"format": 1, "unique_id": "0" * 32, "params": {}}),
    ],
)
def test_a_record_that_is_not_a_run_record_of_this_run_is_not_believed(workspace: Path, damage: str) -> None:
    kartcore.build(Timed(size=4))
    path = run_record_path(Timed(size=4))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(damage)
    assert past_runs.run_record(str(workspace), "Timed", Timed(size=4).make_unique_id()) is None
    assert isinstance(Timed(size=4).get_processing_time(), float)  # the pickle record, as before


def test_times_are_shown_in_local_time() -> None:
    shown = past_runs.timestamp("2026-01-02T03:04:05Z")
    assert shown == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc).astimezone().replace(
        tzinfo=None
    )
    assert past_runs.timestamp("yesterday") is None and past_runs.timestamp(None) is None


def test_the_record_a_build_writes_is_read_without_unpickling(workspace: Path) -> None:
    kartcore.build(Timed(size=6))
    for kind in ("task_params", "processing_time"):  # the pickles say nothing readable any more
        (workspace / "log" / kind / f"Timed_{Timed(size=6).make_unique_id()}.pkl").write_bytes(b"not a pickle")
    found = past_runs.run_record(str(workspace), "Timed", Timed(size=6).make_unique_id())
    assert found is not None and found["params"] == {"size": "6"}
    assert isinstance(Timed(size=6).get_processing_time(), float)
    assert Timed.restore(Timed(size=6).make_unique_id()).size == 6
