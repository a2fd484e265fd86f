"""A Redis lock held for a ``with`` block: redis-py's own :class:`redis.lock.Lock`, kept alive by a thread.

Why these choices:

* redis-py's ``Lock`` (``SET NX PX`` with a random token, release and renewal by Lua scripts that
  check the token), never a hand-rolled SETNX: only the holder can release or renew it.
  ``thread_local=False`` because the lock is taken in one thread and may be renewed by another.
* The lock has a time to live of ``timeout`` seconds, and a daemon thread resets it every
  ``timeout / 3`` seconds while the block runs, so a long run keeps its lock and a holder that dies
  (even by SIGKILL, which runs no cleanup) loses it at most ``timeout`` seconds later.
* Entering first tries once without blocking, to know whether it had to wait (``waited``), then
  blocks in slices, logging that it still waits, until it holds the lock or ``wait_timeout`` passes.
* A server that cannot be reached is an error within seconds: short socket timeouts and no
  retries, and every redis exception is wrapped once, here, in :class:`LockError` naming
  ``host:port`` and the key.
* Acquiring happens inside ``try``: if anything fails or is interrupted after the lock was taken,
  it is released again before the exception leaves ``__enter__``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.exceptions import LockError as RedisLockError
from redis.exceptions import LockNotOwnedError, RedisError
from redis.retry import Retry

from kartcore.errors import LockError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
SOCKET_TIMEOUT = 5.0
#: Longest single blocking wait before logging "still waiting" and trying again.
WAIT_SLICE = 60.0
POLL_INTERVAL = 0.1

_clients: dict[tuple[str, int, int], redis.Redis] = {}
_clients_guard = threading.Lock()


def client_for(host: str, port: int) -> redis.Redis:
    """One client (and connection pool) per server per process."""
    key = (host, port, os.getpid())
    with _clients_guard:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = redis.Redis(
                host=host,
                port=port,
                socket_connect_timeout=CONNECT_TIMEOUT,
                socket_timeout=SOCKET_TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )
        return client


class RedisLock:
    """``with RedisLock(key, host=..., port=..., timeout=...):`` holds ``key`` on that server for the block."""

    def __init__(self, key: str, *, host: str, port: int, timeout: float, wait_timeout: float | None = None) -> None:
        self.key = key
        self.host = host
        self.port = port
        self.timeout = timeout
        self.wait_timeout = wait_timeout
        self.waited = False
        self._lock: Any = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"RedisLock({self.key!r} on {self.host}:{self.port})"

    # ----- context manager ---------------------------------------------------------------

    def __enter__(self) -> RedisLock:
        if self._lock is not None:
            raise LockError(f"lock {self.key} is already held by this object; a RedisLock is not reentrant")
        try:
            self._acquire()
            self._start_renewal()
        except BaseException:
            self._release(quiet=True)
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release(quiet=False)

    # ----- acquiring ---------------------------------------------------------------------

    def _acquire(self) -> None:
        self.waited = False
        lock = client_for(self.host, self.port).lock(
            self.key, timeout=self.timeout, sleep=POLL_INTERVAL, thread_local=False
        )
        self._lock = lock
        if self._call(lock.acquire, blocking=False):
            return
        self.waited = True
        started = time.monotonic()
        logger.info("lock %s is held by another worker; waiting for it", self.key)
        while True:
            waited_for = time.monotonic() - started
            slice_ = WAIT_SLICE
            if self.wait_timeout is not None:
                slice_ = min(slice_, self.wait_timeout - waited_for)
            if slice_ > 0 and self._call(lock.acquire, blocking=True, blocking_timeout=slice_):
                logger.info("lock %s acquired after waiting %.1f s", self.key, time.monotonic() - started)
                return
            waited_for = time.monotonic() - started
            if self.wait_timeout is not None and waited_for >= self.wait_timeout:
                raise LockError(
                    f"gave up waiting for lock {self.key} on Redis {self.host}:{self.port} after {waited_for:.0f} s: "
                    "another worker still holds it (it renews the lock while it runs; a dead worker's lock "
                    f"expires after {self.timeout} s)"
                )
            logger.warning("still waiting for lock %s after %.0f s (another worker holds it)", self.key, waited_for)

    def _call(self, method: Any, **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except RedisError as exc:
            reason = str(exc).rstrip(".")
            raise LockError(
                f"cannot use lock {self.key} on Redis {self.host}:{self.port}: {type(exc).__name__}: {reason}. "
                "Check that the server is running and that redis_host/redis_port (e.g. in the [TaskOnKart] "
                "config section) point at it"
            ) from exc

    # ----- keeping it --------------------------------------------------------------------

    def _start_renewal(self) -> None:
        self._stop = threading.Event()
        self._renewer = threading.Thread(
            target=self._renew_until_stopped, args=(self._lock, self._stop), name=f"renew {self.key}", daemon=True
        )
        self._renewer.start()

    def _renew_until_stopped(self, lock: Any, stop: threading.Event) -> None:
        interval = max(self.timeout / 3.0, 0.05)
        while not stop.wait(interval):
            try:
                lock.reacquire()
            except LockNotOwnedError:
                logger.error(
                    "lock %s was lost (it expired before it could be renewed): another worker may now take it",
                    self.key,
                )
                return
            except (RedisError, RedisLockError) as exc:
                logger.warning("could not renew lock %s on %s:%s: %s", self.key, self.host, self.port, exc)

    # ----- releasing ---------------------------------------------------------------------

    def _release(self, *, quiet: bool) -> None:
        lock, self._lock = self._lock, None
        self._stop.set()
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.join(timeout=SOCKET_TIMEOUT + 1)
        if lock is None or lock.local.token is None:
            return
        try:
            lock.release()
        except (RedisLockError, RedisError) as exc:
            # Not owned any more (expired) or server gone: the lock expires on its own after its TTL.
            log = logger.debug if quiet else logger.warning
            log("could not release lock %s on %s:%s: %s", self.key, self.host, self.port, exc)
