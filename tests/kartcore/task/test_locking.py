"""The run lock of TaskOnKart (kartcore/task/locking.py) in-process, against a real redis-server.

Two processes at once are in tests/e2e/test_redis_lock.py; here one process plays the other
worker by holding the task's lock itself.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, ConfigError, LockError
from kartcore.io.locks import NoLock
from kartcore.io.locks.redis_lock import RedisLock
from kartcore.task.locking import run_lock, workspace_namespace
from tests.conftest import files_under
from tests.kartcore.io.test_locks import redis_server  # noqa: F401  (the fixture)
from tests.servers import free_port

RUNS: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_runs() -> None:
    RUNS.clear()


@pytest.fixture
def client(redis_server: int):  # noqa: F811
    import redis

    connection = redis.Redis(host="127.0.0.1", port=redis_server)
    connection.flushall()
    yield connection
    connection.close()


@pytest.fixture
def locked_config(tmp_path: Path, redis_server: int) -> int:  # noqa: F811
    """``[TaskOnKart] redis_host/redis_port`` pointing at the test server, as a user would set it."""
    (tmp_path / "param.ini").write_text(f"[TaskOnKart]\nredis_host = 127.0.0.1\nredis_port = {redis_server}\n")
    kartcore.add_config(str(tmp_path / "param.ini"))
    return redis_server


class Work(kartcore.TaskOnKart[str]):
    task_namespace = "locking"
    text = luigi.Parameter(default="mine")

    def run(self) -> None:
        RUNS.append(type(self).__name__)
        self.dump(self.text)


class HeldWhileRunning(kartcore.TaskOnKart[bool]):
    task_namespace = "locking"

    def run(self) -> None:
        import redis

        connection = redis.Redis(host=self.redis_host, port=self.redis_port)
        self.dump(bool(connection.exists(run_lock(self).key)))


class MoreWork(Work):
    task_namespace = "locking"

    def run(self) -> None:
        super().run()
        RUNS.append("MoreWork")


class Probe(kartcore.TaskOnKart[bool]):
    """Dumps whether Dynamic's run lock is held while Dynamic waits for it (it must not be)."""

    task_namespace = "locking"

    def run(self) -> None:
        import redis

        connection = redis.Redis(host=self.redis_host, port=self.redis_port)
        self.dump(bool(connection.exists(run_lock(Dynamic()).key)))


class Dynamic(kartcore.TaskOnKart[bool]):
    task_namespace = "locking"

    def run(self):
        RUNS.append("Dynamic")
        found = yield Probe()
        self.dump(found.load())


class RunFromMixin:
    def run(self) -> None:
        RUNS.append("mixin")
        self.dump("mixed")  # type: ignore[attr-defined]


class Mixed(RunFromMixin, kartcore.TaskOnKart[str]):
    task_namespace = "locking"


class Gather(kartcore.TaskOnKart[list]):
    task_namespace = "locking"

    def requires(self):
        return [Work(text=str(index)) for index in range(3)]

    def run(self) -> None:
        self.dump(self.load())


def test_the_lock_parameters_are_insignificant() -> None:
    task = Work()
    assert (task.redis_host, task.redis_port, task.redis_timeout) == (None, None, 180)
    assert Work(redis_host="h", redis_port=1, redis_timeout=5).make_unique_id() == task.make_unique_id()


def test_without_redis_the_run_lock_is_a_no_op(workspace: Path) -> None:
    assert isinstance(run_lock(Work()), NoLock)
    assert kartcore.build(Work()) == "mine"
    assert RUNS == ["Work"]


def test_the_task_on_kart_section_turns_locks_on_with_workspace_and_id_in_the_key(locked_config: int) -> None:
    task = Work()
    lock = run_lock(task)
    assert isinstance(lock, RedisLock)
    assert (lock.host, lock.port, lock.timeout) == ("127.0.0.1", locked_config, 180)
    assert lock.key == f"kartcore:{workspace_namespace('./resources/')}:Work_{task.make_unique_id()}-run"
    assert run_lock(Work(workspace_directory="elsewhere")).key != lock.key
    assert workspace_namespace("s3://bucket/ws/") == "s3://bucket/ws"


def test_a_locked_build_runs_once_holds_the_lock_while_running_and_leaves_none(client, locked_config: int) -> None:
    assert kartcore.build(Work()) == "mine"
    assert kartcore.build(HeldWhileRunning()) is True
    assert RUNS == ["Work"]
    assert client.keys("kartcore:*") == []


def _other_worker(task: Work, publish: bool) -> tuple[threading.Thread, threading.Event]:
    """Another worker in a thread (luigi needs the main thread): holds the lock 1 s, maybe publishes the output."""
    holding = threading.Event()

    def work() -> None:
        with run_lock(task):
            holding.set()
            time.sleep(1.0)
            if publish:
                task.output().dump("theirs")

    thread = threading.Thread(target=work)
    thread.start()
    assert holding.wait(10)
    return thread, holding


def test_a_waiting_worker_uses_the_output_the_holder_published(client, locked_config: int, workspace: Path) -> None:
    thread, _ = _other_worker(Work(), publish=True)
    started = time.monotonic()
    assert kartcore.build(Work()) == "theirs"
    assert time.monotonic() - started > 0.5, "the build waited for the lock"
    thread.join(timeout=10)
    assert RUNS == [], "run() did not redo the other worker's work"
    assert not list(workspace.glob("log/*/*")), "a skipped run writes no records"
    assert client.keys("kartcore:*") == []


def test_a_waiting_worker_runs_the_task_when_the_holder_left_it_incomplete(client, locked_config: int) -> None:
    thread, _ = _other_worker(Work(), publish=False)
    started = time.monotonic()
    assert kartcore.build(Work()) == "mine"
    assert time.monotonic() - started > 0.5
    thread.join(timeout=10)
    assert RUNS == ["Work"]


def test_rerun_still_runs_when_nobody_else_holds_the_lock(client, locked_config: int) -> None:
    kartcore.build(Work())
    assert kartcore.build(Work(rerun=True, text="mine")) == "mine"
    assert RUNS == ["Work", "Work"]


def test_subclass_runs_calling_super_and_direct_run_calls_still_work(client, locked_config: int) -> None:
    assert kartcore.build(MoreWork()) == "mine"
    assert RUNS == ["MoreWork", "MoreWork"]  # Work.run records the class name, then MoreWork.run
    RUNS.clear()
    Work(text="direct").run()  # outside luigi: no START, no lock, the plain run()
    assert RUNS == ["Work"]
    assert Work(text="direct").output().load() == "direct"


def test_dynamic_requirements_release_the_lock_while_they_run(client, locked_config: int) -> None:
    assert kartcore.build(Dynamic()) is False, "Dynamic's lock was released while its new requirement ran"
    assert RUNS == ["Dynamic", "Dynamic"]
    assert client.keys("kartcore:*") == []


def test_a_run_from_a_mixin_is_guarded_too(locked_config: int) -> None:
    assert getattr(Mixed.run, "_kart_guarded", False)
    assert "run" not in MoreWork.__dict__ or MoreWork.__dict__["run"] is not Work.__dict__["run"]
    assert kartcore.build(Mixed()) == "mixed"
    with pytest.raises(BuildError) as caught:
        kartcore.build(Mixed(redis_host="127.0.0.1", redis_port=free_port(), rerun=True))
    assert isinstance(caught.value.exception, LockError)
    assert RUNS == ["mixin"]


def test_tasks_in_forked_worker_processes_take_and_release_their_locks(client, locked_config: int) -> None:
    assert kartcore.build(Gather(), workers=2) == ["0", "1", "2"]
    assert client.keys("kartcore:*") == []


def test_an_unreachable_redis_fails_the_task_within_seconds_and_writes_nothing(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "param.ini").write_text(f"[TaskOnKart]\nredis_host = 127.0.0.1\nredis_port = {port}\n")
    kartcore.add_config(str(tmp_path / "param.ini"))
    started = time.monotonic()
    with pytest.raises(BuildError) as caught:
        kartcore.build(Work())
    assert time.monotonic() - started < 10
    assert isinstance(caught.value.exception, LockError)
    assert f"127.0.0.1:{port}" in str(caught.value.exception)
    assert RUNS == []
    workspace = tmp_path / "resources"
    assert not workspace.exists() or files_under(workspace) == []


def test_half_a_redis_configuration_fails_the_task(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as caught:
        kartcore.build(Work(redis_host="127.0.0.1"))
    assert isinstance(caught.value.exception, ConfigError)
    assert "redis_port is not" in str(caught.value.exception)
    assert RUNS == []


def test_the_lock_expires_for_a_task_after_its_holder_stops_renewing(client, redis_server: int) -> None:  # noqa: F811
    task = Work(redis_host="127.0.0.1", redis_port=redis_server, redis_timeout=1)
    # A holder that died: its lock was taken but nothing renews it (redis-py's Lock, no renewal thread).
    dead = client.lock(run_lock(task).key, timeout=1, thread_local=False)
    assert dead.acquire(blocking=False)
    started = time.monotonic()
    assert kartcore.build(task) == "mine"
    assert 0.5 < time.monotonic() - started < 5
    assert RUNS == ["Work"]
