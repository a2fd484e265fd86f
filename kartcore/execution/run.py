"""``run()``: the command line (``python main.py pkg.Task --local-scheduler --param=x``).

luigi's own parser, scheduler options and workers; kartcore adds exit codes that mean something
(luigi exits 0 when a task failed) and one clear line for a bad command line, before anything runs.
The exit code says what this run did, as its scheduler reports it - never what happens to be on disk,
which a failed ``--rerun`` leaves in place.
"""

from __future__ import annotations

import difflib
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, NoReturn

import luigi
import luigi.interface
from luigi.execution_summary import LuigiRunResult, LuigiStatusCode
from luigi.task_register import Register, TaskClassException, TaskClassNotFoundException

from kartcore import config_check
from kartcore.errors import TaskFailure, UsageError
from kartcore.execution import (
    dask_command,
    failures,
    interruption,
    progress,
    run_report,
    slack,
    staleness,
    tree_option,
)
from kartcore.execution.command_line import check_range, command_line, create_task
from kartcore.execution.diagnosis import failure_line
from kartcore.execution.factory import WorkerSchedulerFactory
from kartcore.task.resolution import frozen_configuration

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_UNREACHABLE = 4
SCHEDULER_CONNECT_TIMEOUT_SECONDS = 5.0
#: Failed tasks named one line each at the end of a failed run; the log above has every traceback.
SHOWN_FAILURES = 10

#: With luigid: how often to ask whether the root another worker runs is done, and how many times to schedule
#: the DAG again when that worker died or failed (each round is bounded by luigid's retry_count).
REMOTE_POLL_SECONDS = 0.5
REMOTE_ROUNDS = 3

_SUCCEEDED = (LuigiStatusCode.SUCCESS, LuigiStatusCode.SUCCESS_WITH_RETRY)
#: luigi's [core] numbers that have a range: (name, lowest, highest or None).
_CORE_RANGES = (("workers", 1, None), ("scheduler_port", 1, 65535), ("lock_size", 1, None))


def run(argv: list[str] | None = None) -> NoReturn:
    """Run the task named on the command line and exit: 0 when its DAG is complete, non-zero otherwise."""
    sys.exit(run_command_line(argv))


def run_command_line(argv: list[str] | None = None) -> int:
    """Like :func:`run`, but returns the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with command_line(args) as parser, frozen_configuration():
            config_check.warn_unknown_entries()  # typos and unknown sections in the config files
            root = create_task(parser, config_name="the config")
            if tree_option.write_tree_if_asked(root) is not None:  # --tree-info-mode: the tree instead of a run
                return EXIT_OK
            if staleness.wants_rerun_stale(root):  # --rerun-stale or [TaskOnKart] rerun_stale
                staleness.mark_stale(root)
            notifier = slack.configured_notifier()  # [SlackConfig]: a bad value is refused before anything runs
            on_dask = dask_command.exit_code_on_dask(parser, root, notifier)  # --dask-scheduler: runs on Dask
            if on_dask is not None:
                return on_dask
            core = _core_settings()
            if not core.local_scheduler:
                _check_scheduler_reachable(core)
            with run_report.collecting() as events:
                outcome = _run_on_luigi(root, core)
            if notifier is not None:  # logs a failed send, never raises: the exit code stays the run's
                events.finish(root, outcome.scheduler, outcome.failures)
                notifier.send(root, events, outcome.complete)
    except UsageError as exc:
        return _fail(EXIT_USAGE, str(exc))
    except TaskClassNotFoundException:
        return _fail(EXIT_USAGE, _unknown_task_message(args))
    except TaskClassException as exc:
        return _fail(EXIT_USAGE, str(exc))
    except _SchedulerUnreachable as exc:
        return _fail(EXIT_UNREACHABLE, str(exc))
    except luigi.interface.PidLockAlreadyTakenExit:
        return _fail(EXIT_LOCKED, "another process is running the same command (pass --no-lock to allow it)")
    except interruption.Interrupted as exc:
        message = f"{exc}: the running tasks were stopped and their unpublished outputs discarded"
        return _fail(exc.exit_code, message)
    if outcome.complete:
        return EXIT_OK
    lines = [failure_line(failure) for failure in outcome.failures[:SHOWN_FAILURES]]
    if len(outcome.failures) > SHOWN_FAILURES:
        lines.append(f"... and {len(outcome.failures) - SHOWN_FAILURES} more failed tasks (see the log above)")
    return _fail(EXIT_FAILED, *(lines or [f"{root.get_task_family()} did not complete ({outcome.status.name})"]))


@dataclass(frozen=True)
class Outcome:
    """What one run did, as its scheduler reports it."""

    complete: bool
    status: LuigiStatusCode
    failures: list[TaskFailure]
    scheduler: Any = None


def _run_on_luigi(root: luigi.Task, core: luigi.interface.core) -> Outcome:
    """Run ``root``'s DAG; with luigid, also wait for the tasks of it that other workers are running.

    luigi's worker stops asking for work once none of its tasks is pending, although the last ones may still
    be running in another process: it would exit before the DAG is complete (and its exit code would depend
    on timing). So this run waits while luigid says the root is running elsewhere; if that worker dies or
    fails (the root is pending or failed again), this run schedules the DAG again and may run it itself.
    """
    outcome = _run_once(root, core)
    for _ in range(REMOTE_ROUNDS - 1):
        if outcome.complete or core.local_scheduler or outcome.status is not LuigiStatusCode.NOT_RUN:
            break
        if _wait_while_running_elsewhere(outcome.scheduler, root) == "DONE":
            return Outcome(True, LuigiStatusCode.SUCCESS, [], outcome.scheduler)
        outcome = _run_once(root, core, again=True)
    return outcome


def _wait_while_running_elsewhere(scheduler: Any, root: luigi.Task) -> str:
    """The root's state in luigid once it is no longer RUNNING (another worker finished, failed or died)."""
    while True:
        state = _scheduler_state(scheduler, root)
        if state != "RUNNING":
            return state
        time.sleep(REMOTE_POLL_SECONDS)


def _scheduler_state(scheduler: Any, root: luigi.Task) -> str:
    """DONE, RUNNING or OTHER (pending, failed, disabled, unknown or a scheduler that cannot answer)."""
    for state in ("DONE", "RUNNING"):
        try:
            tasks = scheduler.task_list(state, "", limit=False, search=root.get_task_family())
        except Exception:  # a scheduler that cannot answer cannot vouch for the DAG
            return "OTHER"
        if root.task_id in tasks:
            return state
    return "OTHER"


def _run_once(root: luigi.Task, core: luigi.interface.core, again: bool = False) -> Outcome:
    """Run ``root``'s DAG with luigi's worker; Ctrl-C or SIGTERM stops every task cleanly (interruption.py).

    ``again``: a later round of the same command, which already holds luigi's process lock (taking it again
    would find this very process running and exit 3).
    """
    factory = WorkerSchedulerFactory()
    with (
        interruption.stopping_cleanly(),
        progress.reporting(workers=core.workers, follow_level=True),
        failures.collecting() as collector,
    ):
        no_lock = core.no_lock or again
        result = luigi.build([root], worker_scheduler_factory=factory, detailed_summary=True, no_lock=no_lock)
        found = collector.failures(factory.scheduler)
    # With luigid the scheduler may list failures of other runs: name only this run's tasks.
    ours = [failure for failure in found if isinstance(failure.task, luigi.Task) or failure.task == root.task_id]
    return Outcome(_completed(result, factory.scheduler, root), result.status, ours, factory.scheduler)


def _completed(result: LuigiRunResult, scheduler: Any, root: luigi.Task) -> bool:
    """luigi's status; for "not run" (luigid: other workers ran part of the DAG) the scheduler's state of the root."""
    if result.status in _SUCCEEDED:
        return True
    if result.status is not LuigiStatusCode.NOT_RUN:
        return False  # a task failed, could not be scheduled, or an external input is missing
    return _scheduler_state(scheduler, root) == "DONE"


def _core_settings() -> luigi.interface.core:
    """luigi's [core] options (command line and config), refused in one line when they cannot work."""
    try:
        core = luigi.interface.core()
    except Exception as exc:  # a value from a config file: the command line's were checked when parsed
        cause = f": {exc.__cause__}" if exc.__cause__ is not None else ""
        raise UsageError(f"invalid [core] setting in the luigi config: {str(exc).split(': ', 1)[-1]}{cause}") from None
    for name, lowest, highest in _CORE_RANGES:
        check_range(f"--{name.replace('_', '-')} (or [core] {name})", getattr(core, name), lowest, highest)
    return core


def _fail(code: int, *lines: str) -> int:
    for line in lines:
        print(f"kartcore: {line}", file=sys.stderr)
    return code


class _SchedulerUnreachable(Exception):
    pass


def _check_scheduler_reachable(core: luigi.interface.core) -> None:
    """Fail in seconds, not after luigi's minutes of RPC retries, when luigid is not there."""
    url = core.scheduler_url or f"http://{core.scheduler_host}:{core.scheduler_port}/"
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or core.scheduler_host
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:  # "Port out of range", "Invalid IPv6 URL"
        raise UsageError(f"--scheduler-url {url!r} is not a usable URL: {exc}") from None
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_CONNECT_TIMEOUT_SECONDS):
            return
    except OSError as exc:
        raise _SchedulerUnreachable(
            f"cannot reach the central scheduler (luigid) at {url}: {exc}. Start it (`luigid --port {port}`), "
            "point --scheduler-host/--scheduler-port at it, or run with --local-scheduler"
        ) from None


def _unknown_task_message(args: list[str]) -> str:
    name = next((arg for arg in args if not arg.startswith("-")), "")
    known = sorted(Register.task_names())
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Is the module that defines it imported by main.py?"
    return f"unknown task {name!r}.{hint}"
