"""The driver's side of the Dask executor without a cluster: the plan, the keys, the payloads, the checks made
before anything is submitted. (With a real cluster: tests/e2e/test_dask.py.)
"""

from __future__ import annotations

import pickle
import socket
import threading
import time
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, SchedulerUnreachableError
from kartcore.execution import dask_executor
from kartcore.execution.dask_executor import check_reachable, payload, plan, task_key
from tests.servers import free_port


class Source(kartcore.TaskOnKart):
    task_namespace = "dask_plan"
    n = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.n)


class Pair(kartcore.TaskOnKart):
    task_namespace = "dask_plan"
    n = luigi.IntParameter()

    def requires(self) -> list[Source]:
        return [Source(n=self.n), Source(n=0)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class Top(kartcore.TaskOnKart):
    task_namespace = "dask_plan"

    def requires(self) -> list[Pair]:
        return [Pair(n=1), Pair(n=2)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class Locked(kartcore.TaskOnKart):
    task_namespace = "dask_plan"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.connection = threading.Lock()


def test_plan_lists_each_incomplete_task_once_requirements_first() -> None:
    planned, complete = plan(Top())
    keys = [item.key for item in planned]
    assert len(keys) == len(set(keys)) == 6  # Top, two Pairs, Source 0 (shared), 1 and 2
    assert complete == []
    position = {item.key: index for index, item in enumerate(planned)}
    for item in planned:
        assert all(position[key] < position[item.key] for key in item.requires)
    assert planned[-1].key == task_key(Top())
    assert sorted(next(item for item in planned if item.key == task_key(Pair(n=1))).requires) == sorted(
        [task_key(Source(n=1)), task_key(Source(n=0))]
    )


def test_plan_skips_a_complete_task_and_everything_below_it() -> None:
    kartcore.build(Pair(n=1))
    planned, complete = plan(Top())
    keys = {item.key for item in planned}
    assert keys == {task_key(Top()), task_key(Pair(n=2)), task_key(Source(n=2))}
    # Pair(n=1), whose requirements were not looked at, and Source(n=0), built with it
    assert sorted(task.task_id for task in complete) == sorted(task.task_id for task in (Pair(n=1), Source(n=0)))
    assert next(item for item in planned if item.key == task_key(Top())).requires == [task_key(Pair(n=2))]


def test_a_task_key_is_its_family_and_unique_id_like_its_output_file() -> None:
    task = Source(n=3)
    assert task_key(task) == f"kart-dask_plan.Source-{task.make_unique_id()}"
    assert task_key(Source(n=3, workspace_directory="elsewhere")) == task_key(task)  # insignificant


def test_a_task_with_rerun_still_reruns_on_the_worker(workspace: Path) -> None:
    kartcore.build(Source(n=5))
    task = Source(n=5, rerun=True)
    planned, _ = plan(task)
    assert [item.key for item in planned] == [task_key(task)]
    assert pickle.loads(planned[0].payload).complete() is False, "the driver's check did not use up the rerun"


def test_an_unpicklable_task_is_named_with_its_attribute() -> None:
    with pytest.raises(BuildError) as info:
        payload(Locked())
    message = str(info.value)
    assert message.startswith(f"cannot send dask_plan.Locked[{Locked().make_unique_id()}] to a Dask worker")
    assert "its attribute 'connection' holds a _thread.lock, which cannot be pickled" in message
    assert "create it inside run()" in message
    assert info.value.task is not None


def test_a_local_class_travels_by_value() -> None:
    class Local(kartcore.TaskOnKart):
        task_namespace = "dask_plan_local"

    restored = pickle.loads(payload(Local()))
    assert type(restored).__name__ == "Local" and restored.make_unique_id() == Local().make_unique_id()


def test_an_unreachable_scheduler_fails_before_anything_is_written(workspace: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(SchedulerUnreachableError) as info:
        kartcore.build(Top(), dask_scheduler=address)
    assert str(info.value).startswith(f"cannot reach the Dask scheduler at {address}: ")
    print(f"refused after {time.monotonic() - started:.2f} s")  # reported, not asserted: the machine is shared
    assert not workspace.exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:notaport", "tcp://no-such-host.invalid:8786"])
def test_a_bad_address_is_unreachable(address: str) -> None:
    with pytest.raises(SchedulerUnreachableError):
        check_reachable(address)


def test_a_listener_that_is_not_a_dask_scheduler_is_refused_after_the_timeout(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dask_executor, "CLIENT_TIMEOUT_SECONDS", 1.0)
    with socket.socket() as listener:  # accepts connections, never answers (a proxy, another service)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(SchedulerUnreachableError) as info:
            kartcore.build(Top(), dask_scheduler=address)
    assert str(info.value).startswith(
        f"{address} accepts connections but did not answer as a Dask scheduler within 1 s"
    )
    assert not workspace.exists()
