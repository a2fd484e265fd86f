"""Conflict-prevention locks against a real redis-server: exclusion, waiting, renewal, expiry, bad servers.

The server is Debian's ``redis-server``, started per test module on 127.0.0.1 with a free port, no
persistence and a temp directory, and stopped afterwards. ``redis_server`` and ``free_port`` are
imported by the task and end-to-end lock tests too.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kartcore.errors import ConfigError, LockError
from kartcore.io.locks import Lock, NoLock, lock_for, lock_key
from tests.servers import free_port, stop

REDIS_SERVER = shutil.which("redis-server")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real redis-server on 127.0.0.1; yields its port."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    import redis

    directory = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited early with code {process.returncode}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        yield port
    finally:
        stop(process)


@pytest.fixture
def client(redis_server: int) -> Iterator[object]:
    import redis

    connection = redis.Redis(host="127.0.0.1", port=redis_server)
    connection.flushall()
    yield connection
    connection.close()


def a_lock(port: int, name: str = "Task_abc-run", **kwargs: object) -> Lock:
    kwargs.setdefault("timeout", 5)
    return lock_for(name, namespace="/ws", host="127.0.0.1", port=port, **kwargs)  # type: ignore[arg-type]


def test_no_lock_without_host_and_port() -> None:
    lock = lock_for("Task_abc-run", namespace="/ws", host=None, port=None)
    assert isinstance(lock, NoLock)
    assert isinstance(lock, Lock)
    with lock as entered:
        assert entered.waited is False
    assert lock.key == "kartcore:/ws:Task_abc-run"


@pytest.mark.parametrize(("host", "port", "missing"), [("127.0.0.1", None, "redis_port"), (None, 6379, "redis_host")])
def test_half_a_configuration_is_an_error(host: str | None, port: int | None, missing: str) -> None:
    with pytest.raises(ConfigError, match=f"{missing} is not"):
        lock_for("x", namespace="/ws", host=host, port=port)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="redis_timeout must be a positive"):
        lock_for("x", namespace="/ws", host="127.0.0.1", port=1, timeout=0)


def test_importing_the_package_does_not_import_redis() -> None:
    code = "import sys, kartcore, kartcore.io.locks, kartcore.task.locking; print('redis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_the_key_holds_the_namespace_and_is_gone_after_the_block(client, redis_server: int) -> None:
    with a_lock(redis_server) as lock:
        assert lock.key == lock_key("Task_abc-run", "/ws") == "kartcore:/ws:Task_abc-run"
        assert client.exists(lock.key)
        assert 0 < client.pttl(lock.key) <= 5000
        assert lock.waited is False
    assert not client.exists(lock.key)


def test_a_held_lock_excludes_others_and_equal_names_in_other_namespaces_do_not(client, redis_server: int) -> None:
    with a_lock(redis_server):
        other = a_lock(redis_server, wait_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(LockError, match="gave up waiting for lock kartcore:/ws:Task_abc-run"), other:
            pass
        assert 0.4 < time.monotonic() - started < 3
        elsewhere = lock_for("Task_abc-run", namespace="/other", host="127.0.0.1", port=redis_server, timeout=5)
        with elsewhere:
            assert elsewhere.waited is False
    with a_lock(redis_server) as again:
        assert again.waited is False


def test_entering_waits_for_the_holder(client, redis_server: int) -> None:
    holding = threading.Event()

    def hold() -> None:
        with a_lock(redis_server):
            holding.set()
            time.sleep(1.0)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    started = time.monotonic()
    with a_lock(redis_server) as lock:
        waited = time.monotonic() - started
        assert lock.waited is True
    thread.join()
    assert 0.5 < waited < 5


def test_a_long_block_keeps_its_lock_by_renewing_it(client, redis_server: int) -> None:
    with a_lock(redis_server, timeout=1) as lock:
        time.sleep(2.5)  # 2.5 times the time to live
        assert client.exists(lock.key)
        with pytest.raises(LockError, match="gave up waiting"), a_lock(redis_server, wait_timeout=0.3):
            pass
    assert not client.exists(lock.key)


def test_an_error_in_the_block_releases_the_lock(client, redis_server: int) -> None:
    with pytest.raises(ZeroDivisionError), a_lock(redis_server) as lock:
        1 / 0  # noqa: B018
    assert not client.exists(lock.key)


def test_a_failure_after_acquiring_releases_the_lock(client, redis_server: int, monkeypatch) -> None:
    lock = a_lock(redis_server)

    def broken() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(lock, "_start_renewal", broken)
    with pytest.raises(KeyboardInterrupt), lock:
        pass
    assert not client.exists(lock.key)
    with a_lock(redis_server) as again:  # nothing leaked
        assert again.waited is False


HOLDER = textwrap.dedent(
    """
    import sys, time
    from kartcore.io.locks import lock_for

    with lock_for("Task_abc-run", namespace="/ws", host="127.0.0.1", port=int(sys.argv[1]), timeout=2):
        print("held", flush=True)
        time.sleep(600)
    """
)


def test_a_killed_holders_lock_expires_and_another_worker_takes_over(client, redis_server: int) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(redis_server)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        time.sleep(3)  # longer than the 2 s time to live: the holder renews it
        assert client.exists("kartcore:/ws:Task_abc-run")
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        started = time.monotonic()
        with a_lock(redis_server, wait_timeout=30) as lock:
            assert lock.waited is True
        assert time.monotonic() - started < 4  # at most the 2 s time to live, plus polling
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_an_unreachable_server_is_a_clear_error_within_seconds() -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    with pytest.raises(LockError, match=f"Redis 127.0.0.1:{port}") as caught, a_lock(port):
        pytest.fail("the block must not run")
    assert time.monotonic() - started < 5
    assert "redis_host/redis_port" in str(caught.value)


def test_a_server_that_does_not_answer_is_an_error_within_seconds() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(LockError, match=f"Redis 127.0.0.1:{port}"), a_lock(port):
            pytest.fail("the block must not run")
        assert time.monotonic() - started < 10
