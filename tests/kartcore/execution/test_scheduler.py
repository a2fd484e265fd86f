"""The local scheduler (execution/scheduler.py) behaves as luigi's: each test runs on both.

``scheduler`` switches the factory between kartcore's LocalScheduler and luigi's own Scheduler, so
every semantic check below is also a check that luigi itself does the same.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import luigi.scheduler
import pytest

import kartcore
from kartcore.errors import BuildError
from kartcore.execution import factory
from kartcore.execution.results import ResultQueue
from kartcore.execution.scheduler import LocalScheduler

EVENTS: list[tuple[str, str]] = []


@pytest.fixture(params=["kartcore", "luigi"])
def scheduler(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "luigi":
        monkeypatch.setattr(factory, "LocalScheduler", luigi.scheduler.Scheduler)
    EVENTS.clear()
    return str(request.param)


class SLeaf(kartcore.TaskOnKart[int]):
    number = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.number)


class SChain(kartcore.TaskOnKart[int]):
    depth = luigi.IntParameter()
    start = luigi.IntParameter(default=0)

    def requires(self) -> Any:
        return SChain(depth=self.depth - 1, start=self.start) if self.depth > 0 else SLeaf(number=self.start)

    def run(self) -> None:
        self.dump(self.load() + 1)


class SSum(kartcore.TaskOnKart[int]):
    width = luigi.IntParameter(default=4)
    changed = luigi.IntParameter(default=-1)

    def requires(self) -> Any:
        return [SLeaf(number=i + (100 if i == self.changed else 0)) for i in range(self.width)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class SDynamic(kartcore.TaskOnKart[int]):
    def run(self) -> Any:
        first = yield SLeaf(number=3)
        second = yield [SLeaf(number=4), SChain(depth=2)]
        self.dump(first.load() + sum(target.load() for target in second))


class SFails(kartcore.TaskOnKart[int]):
    def run(self) -> None:
        raise ZeroDivisionError("Fails.run")


class SAfterFails(kartcore.TaskOnKart[int]):
    def requires(self) -> Any:
        return SFails()

    def run(self) -> None:
        self.dump(1)


class SBranches(kartcore.TaskOnKart[int]):
    def requires(self) -> Any:
        return {"bad": SAfterFails(), "good": SChain(depth=3)}

    def run(self) -> None:
        self.dump(0)


class SFlaky(kartcore.TaskOnKart[int]):
    """Fails the first ``failures`` times it runs (counted in a file, so worker processes share it)."""

    failures = luigi.IntParameter()

    def run(self) -> None:
        counter = Path("flaky-count")
        count = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(count + 1))
        if count < self.failures:
            raise RuntimeError(f"flaky run {count}")
        self.dump(count)


class SRecorded(kartcore.TaskOnKart[int]):
    fail = luigi.BoolParameter(default=False)

    def run(self) -> None:
        if self.fail:
            raise ValueError("Recorded failed")
        self.dump(1)

    def on_success(self) -> Any:
        EVENTS.append(("on_success", self.task_family))
        return super().on_success()

    def on_failure(self, exception: BaseException) -> Any:
        EVENTS.append(("on_failure", type(exception).__name__))
        return super().on_failure(exception)


class SRecordedRoot(kartcore.TaskOnKart[int]):
    def requires(self) -> Any:
        return [SRecorded(), SRecorded(fail=True)]

    def run(self) -> None:
        self.dump(2)


class SPid(kartcore.TaskOnKart[int]):
    number = luigi.IntParameter()

    def run(self) -> None:
        time.sleep(0.2)
        self.dump(os.getpid())


class SPids(kartcore.TaskOnKart[list]):
    def requires(self) -> Any:
        return [SPid(number=i) for i in range(4)]

    def run(self) -> None:
        self.dump(self.load())


for _event in (luigi.Event.START, luigi.Event.SUCCESS, luigi.Event.FAILURE, luigi.Event.PROCESSING_TIME):

    def _record(task: luigi.Task, *_: Any, name: str = str(_event)) -> None:
        if isinstance(task, (SRecorded, SRecordedRoot)):
            EVENTS.append((name, task.task_family))

    SRecorded.event_handler(_event)(_record)

RAN: list[tuple[str, str]] = []  # (event, family) of SLeaf and SSum, for the rerun checks


@SLeaf.event_handler(luigi.Event.START)
def _leaf_started(task: luigi.Task) -> None:
    RAN.append(("start", task.task_family))


@SSum.event_handler(luigi.Event.START)
def _sum_started(task: luigi.Task) -> None:
    RAN.append(("start", task.task_family))


def test_factory_uses_the_fast_scheduler_locally_only() -> None:
    made = factory.WorkerSchedulerFactory()
    scheduler = made.create_local_scheduler()
    assert isinstance(scheduler, LocalScheduler) and isinstance(scheduler, luigi.scheduler.Scheduler)
    worker = made.create_worker(scheduler, 1)
    assert isinstance(worker._task_result_queue, ResultQueue)
    worker._task_result_queue.close()


def test_chain_longer_than_the_recursion_limit(scheduler: str) -> None:
    depth = sys.getrecursionlimit() + 200
    assert kartcore.build(SChain(depth=depth)) == depth + 1


def test_dynamic_dependencies(scheduler: str) -> None:
    assert kartcore.build(SDynamic()) == 3 + 4 + 3
    assert SLeaf(number=4).complete() and SChain(depth=2).complete()


def test_failure_stops_dependents_and_independent_branches_finish(scheduler: str, workspace: Path) -> None:
    with pytest.raises(BuildError) as caught:
        kartcore.build(SBranches())
    assert [type(f.exception) for f in caught.value.failures] == [ZeroDivisionError]
    assert not SFails().complete() and not SAfterFails().complete() and not SBranches().complete()
    assert SChain(depth=3).complete()
    assert not [p for p in workspace.rglob("SFails_*.pkl") if "log" not in p.relative_to(workspace).parts]


def test_retries_follow_luigi_config(scheduler: str) -> None:
    config = luigi.configuration.get_config()
    config.set("scheduler", "retry_delay", "0.01")
    config.set("scheduler", "retry_count", "3")
    config.set("worker", "keep_alive", "true")
    config.set("worker", "wait_interval", "0.05")
    assert kartcore.build(SFlaky(failures=2)) == 2


def test_without_retry_config_a_failure_is_final(scheduler: str) -> None:
    with pytest.raises(BuildError):
        kartcore.build(SFlaky(failures=1))
    assert Path("flaky-count").read_text() == "1"


def test_events_and_callbacks_fire_as_luigi_fires_them(scheduler: str) -> None:
    with pytest.raises(BuildError):
        kartcore.build(SRecordedRoot())
    assert sorted(EVENTS) == sorted(
        [
            ("event.core.start", "SRecorded"),
            ("event.core.processing_time", "SRecorded"),
            ("on_success", "SRecorded"),
            ("event.core.success", "SRecorded"),
            ("event.core.start", "SRecorded"),
            ("on_failure", "ValueError"),
            ("event.core.failure", "SRecorded"),
        ]
    )
    succeeded = EVENTS.index(("event.core.success", "SRecorded"))
    assert EVENTS.index(("on_success", "SRecorded")) < succeeded  # luigi: callback, then the event
    assert SRecorded().complete() and SRecorded().get_processing_time() != "unknown"


def test_workers_run_tasks_in_parallel_processes(scheduler: str) -> None:
    pids = kartcore.build(SPids(), workers=2)
    assert os.getpid() not in pids and len(set(pids)) >= 2


def test_rebuild_of_a_complete_dag_runs_nothing(scheduler: str) -> None:
    kartcore.build(SSum(width=50))
    RAN.clear()
    cold_start = time.perf_counter()
    assert kartcore.build(SSum(width=50)) == sum(range(50))
    rebuild = time.perf_counter() - cold_start
    assert RAN == []
    assert rebuild < 5  # a sanity bound only: no scheduling work is left to do


def test_changed_leaf_reruns_only_its_path(scheduler: str) -> None:
    kartcore.build(SSum(width=6))
    RAN.clear()
    assert kartcore.build(SSum(width=6, changed=2)) == sum(range(6)) + 100
    assert sorted(RAN) == [("start", "SLeaf"), ("start", "SSum")]


@pytest.mark.slow
def test_a_ten_thousand_task_fan_in_completes_and_rebuilds_without_running(workspace: Path) -> None:
    """The scale target's largest DAG on kartcore's scheduler (luigi's own takes minutes: it is quadratic)."""
    assert kartcore.build(SSum(width=10_000)) == sum(range(10_000))
    leaves = [path for path in workspace.rglob("SLeaf_*.pkl") if "log" not in path.relative_to(workspace).parts]
    assert len(leaves) == 10_000
    RAN.clear()
    assert kartcore.build(SSum(width=10_000)) == sum(range(10_000))
    assert RAN == []
