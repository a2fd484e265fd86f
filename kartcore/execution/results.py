"""The queue luigi's worker collects task results from, without a thread hop for tasks run in process.

luigi's worker gives every task's result to a ``multiprocessing.Queue``, also when the task ran in the
worker's own process (one worker, the default). A put on that queue hands the item to a feeder thread
and a pipe, and the worker's next ``get`` waits for it: about a millisecond per task, more than the
scheduling itself once that is linear. Results put by the process that owns the queue go to a plain
in-memory queue instead; results from worker processes (``--workers N``, ``worker_timeout``) still go
through the multiprocessing queue, which is created before any process is forked.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from typing import Any


class ResultQueue:
    """``put``/``get``/``close`` as luigi's worker uses them; local results first, then other processes'."""

    def __init__(self) -> None:
        self._owner = os.getpid()
        self._local: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._remote: Any = multiprocessing.Queue()

    def put(self, item: Any, *args: Any, **kwargs: Any) -> None:
        if os.getpid() == self._owner:
            self._local.put(item)
        else:
            self._remote.put(item, *args, **kwargs)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        try:
            return self._local.get_nowait()
        except queue.Empty:
            return self._remote.get(block, timeout)

    def close(self) -> None:
        self._remote.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._remote, name)
