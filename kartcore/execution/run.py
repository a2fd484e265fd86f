"""``run()``: the command line (``python main.py pkg.Task --local-scheduler --param=x``).

luigi's own parser, scheduler options and workers; kartcore adds exit codes that mean something
(luigi exits 0 when a task failed) and one clear line for a bad command line, before anything runs.
"""

from __future__ import annotations

import difflib
import socket
import sys
import urllib.parse
from typing import NoReturn

import luigi
import luigi.interface
from luigi.cmdline_parser import CmdlineParser
from luigi.execution_summary import LuigiStatusCode
from luigi.parameter import ParameterException
from luigi.task_register import Register, TaskClassException, TaskClassNotFoundException

from kartcore.execution import dask_command, progress
from kartcore.execution.factory import WorkerSchedulerFactory
from kartcore.task.resolution import frozen_configuration

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_UNREACHABLE = 4
SCHEDULER_CONNECT_TIMEOUT_SECONDS = 5.0

_SUCCEEDED = (LuigiStatusCode.SUCCESS, LuigiStatusCode.SUCCESS_WITH_RETRY)


def run(argv: list[str] | None = None) -> NoReturn:
    """Run the task named on the command line and exit: 0 when its DAG is complete, non-zero otherwise."""
    sys.exit(run_command_line(argv))


def run_command_line(argv: list[str] | None = None) -> int:
    """Like :func:`run`, but returns the exit code instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with CmdlineParser.global_instance(args) as parser, frozen_configuration():
            root = _root_task(parser)
            on_dask = dask_command.exit_code_on_dask(parser, root)  # --dask-scheduler: the DAG runs on Dask
            if on_dask is not None:
                return on_dask
            core = luigi.interface.core()
            if not core.local_scheduler:
                _check_scheduler_reachable(core)
            with progress.reporting(workers=core.workers, follow_level=True):
                result = luigi.build(
                    [root],
                    worker_scheduler_factory=WorkerSchedulerFactory(),
                    detailed_summary=True,
                    no_lock=core.no_lock,
                )
    except _UsageError as exc:
        print(f"kartcore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TaskClassNotFoundException:
        print(f"kartcore: {_unknown_task_message(args)}", file=sys.stderr)
        return EXIT_USAGE
    except TaskClassException as exc:
        print(f"kartcore: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _SchedulerUnreachable as exc:
        print(f"kartcore: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except luigi.interface.PidLockAlreadyTakenExit:
        print("kartcore: another process is running the same command (pass --no-lock to allow it)", file=sys.stderr)
        return EXIT_LOCKED
    if result.status in _SUCCEEDED or root.complete():
        return EXIT_OK
    return EXIT_FAILED


class _UsageError(Exception):
    pass


class _SchedulerUnreachable(Exception):
    pass


def _check_scheduler_reachable(core: luigi.interface.core) -> None:
    """Fail in seconds, not after luigi's minutes of RPC retries, when luigid is not there."""
    url = core.scheduler_url or f"http://{core.scheduler_host}:{core.scheduler_port}/"
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or core.scheduler_host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_CONNECT_TIMEOUT_SECONDS):
            return
    except OSError as exc:
        raise _SchedulerUnreachable(
            f"cannot reach the central scheduler (luigid) at {url}: {exc}. Start it (`luigid --port {port}`), "
            "point --scheduler-host/--scheduler-port at it, or run with --local-scheduler"
        ) from None


def _root_task(parser: CmdlineParser) -> luigi.Task:
    try:
        return parser.get_task_obj()
    except ParameterException as exc:
        raise _UsageError(_parameter_message(parser, exc)) from None
    except Exception as exc:
        raise _UsageError(_invalid_value_message(parser, exc)) from None


def _parameter_message(parser: CmdlineParser, exc: ParameterException) -> str:
    text = str(exc)
    family = parser.known_args.root_task
    marker = "requires the '"
    if marker in text:
        name = text.split(marker, 1)[1].split("'", 1)[0]
        return (
            f"task {family} needs --{name.replace('_', '-')}: no value was given on the command line, "
            f"in a [{family}] config section or as a default"
        )
    return f"task {family}: {text}"


def _invalid_value_message(parser: CmdlineParser, exc: Exception) -> str:
    family = parser.known_args.root_task
    task_class = Register.get_task_cls(family)
    for name, param in task_class.get_params():
        value = getattr(parser.known_args, name, None)
        if value is None:
            continue
        try:
            param.parse(value)
        except Exception as cause:
            return f"task {family}: invalid value {value!r} for --{name.replace('_', '-')}: {cause}"
    return f"task {family}: {type(exc).__name__}: {exc}"


def _unknown_task_message(args: list[str]) -> str:
    name = next((arg for arg in args if not arg.startswith("-")), "")
    known = sorted(Register.task_names())
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Is the module that defines it imported by main.py?"
    return f"unknown task {name!r}.{hint}"
