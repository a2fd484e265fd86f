"""What a run did, task by task (kartcore/execution/run_report.py), from real builds' events and schedulers."""

from __future__ import annotations

from typing import Any

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, TaskFailure
from kartcore.execution import run_report


class Part(kartcore.TaskOnKart):
    task_namespace = "report"
    index = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.index)


class Whole(kartcore.TaskOnKart):
    task_namespace = "report"
    parts = luigi.IntParameter(default=2)

    def requires(self) -> list[Part]:
        return [Part(index=i) for i in range(self.parts)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class Fails(kartcore.TaskOnKart):
    task_namespace = "report"

    def run(self) -> None:
        raise ValueError("no luck")


def test_a_build_is_counted_then_found_complete_the_next_time() -> None:
    with run_report.collecting() as events:
        kartcore.build(Whole())
    assert events.get_summary() == "Success: 3; Failure: 0; Already complete: 0"
    labels = [Part(index=0).label(), Part(index=1).label(), Whole().label()]
    header, *names = events.get_event_list().splitlines()
    assert header == "---- Succeeded tasks ----" and sorted(names) == sorted(labels)  # in the order they ran
    with run_report.collecting() as again:
        kartcore.build(Whole())
    assert again.get_summary() == "Success: 0; Failure: 0; Already complete: 1"
    assert again.get_event_list().splitlines() == ["---- Already complete ----", Whole().label()]


def test_failures_come_first_with_their_reason() -> None:
    with run_report.collecting() as events, pytest.raises(BuildError):
        kartcore.build(Fails())
    assert events.get_summary() == "Success: 0; Failure: 1; Already complete: 0"
    assert events.get_event_list().splitlines() == [
        "---- Failed tasks ----",
        f"{Fails().label()} failed: ValueError: no luck",
    ]


def test_nothing_seen_says_so() -> None:
    with run_report.collecting() as events:
        pass
    assert events.get_event_list() == run_report.NOTHING_RAN == "Tasks were not executed."
    assert events.get_summary() == "Success: 0; Failure: 0; Already complete: 0"


def test_a_long_category_is_cut_and_counted() -> None:
    count = run_report.SHOWN_PER_CATEGORY + 3
    with run_report.collecting() as events:
        kartcore.build(Whole(parts=count), return_value=False)
    lines = events.get_event_list().splitlines()
    assert lines[0] == "---- Succeeded tasks ----"
    assert len(lines) == 1 + run_report.SHOWN_PER_CATEGORY + 1 and lines[-1] == "... and 4 more"  # count + Whole


class _Scheduler:
    """A scheduler as luigi's RPC client shows it: task_list by state (or one that cannot answer)."""

    def __init__(self, done: dict[str, Any] | None) -> None:
        self.done = done

    def task_list(self, status: str, upstream_status: str, limit: bool = True) -> dict[str, Any]:
        if self.done is None:
            raise ConnectionError("scheduler went away")
        return self.done if status == "DONE" else {}


def test_finish_adds_what_other_processes_ran_and_survives_a_silent_scheduler() -> None:
    whole, part = Whole(parts=1), Part(index=0)
    with run_report.collecting() as events:
        luigi.Task.trigger_event(part, luigi.Event.DEPENDENCY_DISCOVERED, whole, part)  # what the worker fires
    events.finish(whole, _Scheduler({whole.task_id: {}, part.task_id: {}, "unrelated": {}}), [])
    assert events.get_summary() == "Success: 2; Failure: 0; Already complete: 0"
    failure = TaskFailure(whole, None, "Traceback ...\nRuntimeError: in a worker process")
    events.finish(whole, _Scheduler(None), [failure])
    assert events.get_summary() == "Success: 1; Failure: 1; Already complete: 0"
    assert f"{whole.label()} failed: RuntimeError: in a worker process" in events.get_event_list()


def test_gokart_style_set_handlers_collects_until_removed() -> None:
    events = run_report.EventAggregator()
    events.set_handlers()
    events.set_handlers()  # twice is once
    try:
        kartcore.build(Part(index=7))
    finally:
        run_report._active.remove(events)
    assert events.get_summary() == "Success: 1; Failure: 0; Already complete: 0"
    assert events not in run_report._active
