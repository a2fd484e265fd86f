"""Run a DAG on a Dask cluster: one Dask task per incomplete kartcore task, keyed by the task's unique id.

Why it works this way (docs/scaling.md has the commands):

* The driver walks the DAG as luigi does: a complete task is not submitted and its requirements are not
  visited. Each incomplete task becomes ``client.submit(run_task, ..., *requirement_futures, key=...)``,
  so Dask starts it only after its requirements, on any worker (:mod:`kartcore.execution.dask_worker`).
* The key is the task family plus kartcore's unique id, the name of its output file. Futures with one key
  are one Dask task on a scheduler, so two drivers running the same DAG at once run each task once; the
  completion check on the worker covers a driver that comes after the result was released.
* Everything that can be checked before a task runs is: the scheduler answers (in seconds), every task
  pickles (an error names the attribute that does not). Such a failure leaves the workspace untouched.
* A worker that dies mid-task: Dask reschedules the task elsewhere (``distributed.scheduler.allowed-failures``,
  3 by default); atomic publishing means the killed attempt published nothing.
* A task failure comes back as the worker's traceback text; the driver raises :class:`BuildError` with one
  :class:`TaskFailure` per task that failed (tasks that were only blocked by it are not listed).
* Ctrl-C or SIGTERM on the driver cancels the DAG's futures: queued tasks never start; a task already running
  on a worker runs to its end there (Dask cannot stop it) and publishes whole, as always.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import pickle
import socket
import threading
import traceback
import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

import luigi
from luigi.task import flatten

from kartcore.errors import BuildError, ConfigError, RemoteTaskError, SchedulerUnreachableError, TaskFailure
from kartcore.execution.dask_worker import Settings, driver_settings, run_task, task_label

DEFAULT_PORT = 8786
CONNECT_TIMEOUT_SECONDS = 5.0
#: The Dask handshake after the TCP connection succeeded (a scheduler under load can be slow to answer).
CLIENT_TIMEOUT_SECONDS = 15.0
#: Attributes every luigi task has that repeat its parameters: naming them would hide the parameter's name.
_PARAMETER_COPIES = ("param_kwargs", "param_args")

logger = logging.getLogger("kartcore")


@dataclass(frozen=True)
class DaskRun:
    """What a Dask run did: where, how many tasks it submitted and how many were complete already."""

    address: str
    submitted: int
    complete: int


class Outcomes(Protocol):
    """Where a run reports its tasks' outcomes (:class:`kartcore.execution.run_report.EventAggregator`)."""

    def record_outcomes(
        self, present: list[luigi.Task], succeeded: list[luigi.Task], failures: list[TaskFailure]
    ) -> None: ...


@dataclass
class _Planned:
    task: luigi.Task
    key: str
    payload: bytes
    requires: list[str]


def run_on_dask(task: luigi.Task, address: str, outcomes: Outcomes | None = None) -> DaskRun:
    """Run ``task``'s DAG on the Dask scheduler at ``address`` (``tcp://host:8786``).

    Raises :class:`SchedulerUnreachableError` (nothing ran), :class:`ConfigError` when dask[distributed] is
    not installed, or :class:`BuildError` with each failed task's traceback. ``outcomes`` hears, before
    any BuildError, which tasks were complete already, which ran and which failed (for a run's report).
    """
    distributed = _import_distributed()
    check_reachable(address)
    present: list[luigi.Task] = []
    succeeded: list[luigi.Task] = []
    try:
        planned, present = plan(task)
        if planned:
            client = _connect(distributed, address)
            futures: dict[str, Any] = {}
            try:
                futures = _submit(client, planned, driver_settings())
                for count, future in enumerate(distributed.as_completed(futures.values(), loop=client.loop), 1):
                    logger.info("%s: %s (%d/%d)", future.key, future.status, count, len(futures))
                failures = _failures(planned, futures)
                succeeded = [item.task for item in planned if futures[item.key].status == "finished"]
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM under interruption.stopping_cleanly()
                _cancel_quietly(client, futures)
                raise
            finally:
                client.close()
            if failures:
                raise BuildError(_message(task, address, failures), failures)
        if "_kart_rerun_pending" in vars(task):  # the run is over: the root's rerun (or rerun_stale mark) is spent
            task._kart_rerun_pending = False
        if not _is_complete(task):
            message = f"build of {task.get_task_family()} on Dask ({address}) ran every task, but it is not complete"
            raise BuildError(message, [TaskFailure(task, None, message)])
    except BuildError as exc:
        if outcomes is not None:
            outcomes.record_outcomes(present, succeeded, exc.failures)
        raise
    if outcomes is not None:
        outcomes.record_outcomes(present, succeeded, [])
    return DaskRun(address, len(planned), len(present))


def _cancel_quietly(client: Any, futures: dict[str, Any]) -> None:
    """Cancel what Dask has not finished: queued tasks never start; a running one ends on its worker.

    Dask cannot stop a function mid-run; such a task publishes its outputs whole or not at all, as always.
    """
    try:
        client.cancel(list(futures.values()), force=True)
    except Exception as exc:  # the scheduler may be gone already: closing the client releases the rest
        logger.warning("could not cancel the Dask tasks: %s", exc)


def task_key(task: luigi.Task) -> str:
    """The Dask key of a task: its family and unique id (luigi's task id for plain luigi tasks)."""
    make_unique_id = getattr(task, "make_unique_id", None)
    if callable(make_unique_id):
        return f"kart-{task.get_task_family()}-{make_unique_id()}"
    return f"kart-{task.task_id}"


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
    """Fail in seconds, not after Dask's connection retries, when nothing listens at ``address``."""
    parsed = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}")
    if parsed.scheme not in ("tcp", "tls"):
        return  # other transports (inproc, ucx, ws) are left to Dask's own connect
    try:
        host, port = parsed.hostname, parsed.port or DEFAULT_PORT
    except ValueError as exc:
        raise SchedulerUnreachableError(f"not a Dask scheduler address: {address!r} ({exc})") from None
    try:
        with socket.create_connection((host or "127.0.0.1", port), timeout=timeout):
            return
    except OSError as exc:
        raise SchedulerUnreachableError(
            f"cannot reach the Dask scheduler at {address}: {exc}. Start it (`dask scheduler --port {port}`) "
            "and point --dask-scheduler at it, or run with --local-scheduler"
        ) from None


def plan(root: luigi.Task) -> tuple[list[_Planned], list[luigi.Task]]:
    """The incomplete tasks of ``root``'s DAG, requirements first, and the complete tasks found on the way.

    Iterative, so a deep chain does not hit Python's recursion limit. Raises :class:`BuildError` for a
    task whose completeness, requirements or id cannot be worked out, or that cannot be pickled.
    """
    nodes: dict[str, _Planned | None] = {}  # key -> planned task, or None when complete
    present: list[luigi.Task] = []
    pending: set[str] = set()
    order: list[_Planned] = []
    stack: list[tuple[luigi.Task, list[luigi.Task] | None]] = [(root, None)]
    while stack:
        task, requirements = stack.pop()
        try:
            key = task_key(task)
            if requirements is None:
                if key in nodes or key in pending:
                    continue
                if _is_complete(task):
                    nodes[key] = None
                    present.append(task)
                    continue
                pending.add(key)
                requirements = flatten(task.deps())
                stack.append((task, requirements))
                stack.extend((requirement, None) for requirement in reversed(requirements))
                continue
            keys = [task_key(requirement) for requirement in requirements]
        except Exception as exc:
            text = traceback.format_exc()
            raise BuildError(
                f"cannot plan {task_label(task)} for Dask: {type(exc).__name__}: {exc}", [TaskFailure(task, exc, text)]
            ) from exc
        nodes[key] = _Planned(task, key, payload(task), [k for k in dict.fromkeys(keys) if nodes[k] is not None])
        order.append(nodes[key])
    return order, present


def payload(task: luigi.Task) -> bytes:
    """The task pickled for a worker: by reference to its module, or by value (cloudpickle) for ``__main__``.

    Raises :class:`BuildError` naming the attribute that cannot be pickled.
    """
    try:
        data = pickle.dumps(task, protocol=5)
        if b"__main__" not in data:
            return data
    except Exception:
        pass  # local classes, lambdas: cloudpickle below, or the error naming the attribute
    import cloudpickle  # installed with distributed

    try:
        return cloudpickle.dumps(task, protocol=5)
    except Exception as exc:
        message = f"cannot send {task_label(task)} to a Dask worker: {_unpicklable_part(task, cloudpickle.dumps)}"
        raise BuildError(message, [TaskFailure(task, exc, traceback.format_exc())]) from None


def _unpicklable_part(task: luigi.Task, dumps: Any) -> str:
    names = [name for name, _ in task.get_params()] + [name for name in vars(task) if name not in _PARAMETER_COPIES]
    for name in dict.fromkeys(names):
        value = getattr(task, name, None)
        try:
            dumps(value)
        except Exception as exc:
            return (
                f"its attribute {name!r} holds a {type(value).__module__}.{type(value).__qualname__}, which cannot "
                f"be pickled ({type(exc).__name__}: {exc}). Workers receive each task pickled: make the attribute "
                "something that pickles, or create it inside run()."
            )
    return f"its class {type(task).__qualname__} cannot be pickled"


def _is_complete(task: luigi.Task) -> bool:
    # On a copy: a kartcore task with rerun=True answers "incomplete" once per instance, and the instance the
    # worker receives must still answer so, or it would not rerun there.
    return bool(copy.copy(task).complete())


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "running on a Dask cluster needs dask[distributed]: pip install 'gokart-core[dask]'"
        ) from None
    return distributed


def _connect(distributed: Any, address: str) -> Any:
    """A client, once a Dask handshake came back within the timeout.

    Dask's own connect waits without a deadline for the handshake of a listener that accepts the connection
    and never answers (another service on that port, a proxy), so a probe with a deadline goes first, in its
    own thread and event loop (a notebook's thread already runs one).
    """
    outcome: list[BaseException] = []

    async def probe() -> None:
        comm = await asyncio.wait_for(distributed.comm.connect(address), CLIENT_TIMEOUT_SECONDS)
        await comm.close()

    def target() -> None:
        try:
            asyncio.run(probe())
        except BaseException as exc:  # reported below, in the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=target, name="kartcore-dask-probe", daemon=True)
    thread.start()
    thread.join(CLIENT_TIMEOUT_SECONDS + 5)
    try:
        if outcome or thread.is_alive():
            raise outcome[0] if outcome else TimeoutError()
        return distributed.Client(address, timeout=CLIENT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, asyncio.TimeoutError) as exc:
        cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise SchedulerUnreachableError(
            f"{address} accepts connections but did not answer as a Dask scheduler within "
            f"{CLIENT_TIMEOUT_SECONDS:g} s ({cause}). Is it the Dask scheduler's port (8786 by default), "
            "not another service's?"
        ) from None


def _submit(client: Any, planned: list[_Planned], settings: Settings) -> dict[str, Any]:
    futures: dict[str, Any] = {}
    for item in planned:
        requirements = [futures[key] for key in item.requires]
        futures[item.key] = client.submit(run_task, item.payload, settings, item.key, *requirements, key=item.key)
    logger.info("submitted %d tasks to the Dask scheduler at %s", len(planned), client.scheduler.address)
    return futures


def _failures(planned: list[_Planned], futures: dict[str, Any]) -> list[TaskFailure]:
    """Tasks that failed themselves; a task whose requirement failed was never started and is not listed."""
    found = []
    for item in planned:
        future = futures[item.key]
        if future.status == "finished" or any(futures[key].status != "finished" for key in item.requires):
            continue
        if future.status == "cancelled":
            found.append(TaskFailure(item.task, None, f"{item.key} was cancelled by the Dask scheduler"))
            continue
        exception = future.exception()
        if isinstance(exception, RemoteTaskError):
            text = exception.text
        else:
            text = "".join(traceback.format_exception(type(exception), exception, future.traceback()))
        found.append(TaskFailure(item.task, exception, text))
    return found


def _message(task: luigi.Task, address: str, failures: list[TaskFailure]) -> str:
    lines = [f"build of {task.get_task_family()} on Dask ({address}) did not complete."]
    for failure in failures:
        last_line = failure.traceback.strip().splitlines()[-1] if failure.traceback.strip() else ""
        lines.append(f"  {task_label(failure.task)} failed: {last_line}")
    return "\n".join(lines)
