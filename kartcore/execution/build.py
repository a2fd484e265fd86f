"""``build(task)``: run a DAG in this process and return the task's output (for notebooks and tests)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import luigi
from luigi.execution_summary import LuigiStatusCode

from kartcore import _compat, config_check
from kartcore.errors import BuildError, KartError, TaskFailure
from kartcore.execution import failures, interruption, progress, staleness
from kartcore.execution.command_line import check_range
from kartcore.execution.diagnosis import definition_error, failure_line
from kartcore.execution.factory import WorkerSchedulerFactory
from kartcore.execution.logs import log_level as temporary_log_level
from kartcore.execution.task_dump import TaskDumpConfig, process_task_info
from kartcore.task import TaskOnKart
from kartcore.task.resolution import frozen_configuration
from kartcore.task.task_on_kart import map_targets

SUCCEEDED = (LuigiStatusCode.SUCCESS, LuigiStatusCode.SUCCESS_WITH_RETRY)


def build(
    task: luigi.Task,
    return_value: bool = True,
    reset_register: bool = True,
    log_level: int = logging.ERROR,
    task_lock_exception_max_tries: int = 10,
    task_lock_exception_max_wait_seconds: int = 600,
    task_dump_config: TaskDumpConfig | None = None,
    workers: int = 1,
    dask_scheduler: str | None = None,
    rerun_stale: bool | None = None,
    **env_params: Any,
) -> Any:
    """Run ``task`` and everything it needs with luigi's local scheduler; return its loaded output.

    ``workers`` > 1 runs tasks in parallel processes; other ``env_params`` go to luigi's ``core`` config.
    Raises :class:`BuildError` carrying each failed task, its exception and traceback text; ``UsageError``
    (a ``ValueError``) for ``workers`` < 1; ``KeyboardInterrupt`` on Ctrl-C or SIGTERM, after every task
    was stopped and its unpublished outputs discarded (:mod:`interruption`). Returns None
    when ``return_value`` is False. ``dask_scheduler`` (``tcp://host:8786``) runs the DAG on that Dask
    cluster instead, one Dask task per incomplete task (docs/scaling.md; needs ``gokart-core[dask]``).
    ``task_dump_config`` shows or saves the DAG before it runs (:mod:`task_dump`). ``rerun_stale`` (default:
    the task's ``rerun_stale`` parameter, i.e. ``[TaskOnKart] rerun_stale``) also runs the stale tasks again,
    into the same files (:mod:`staleness`; ``kart plan`` shows which). The two
    ``task_lock_exception_*`` arguments are gokart's retries of a build that met a Redis run lock held
    elsewhere; kartcore waits for the holder instead (:mod:`kartcore.task.locking`), so they are only checked.
    """
    if not isinstance(task, luigi.Task):
        raise TypeError(f"build() takes one task instance, got {type(task).__name__}: {task!r}")
    check_range("build(workers=...)", workers, 1)
    check_range("build(task_lock_exception_max_tries=...)", task_lock_exception_max_tries, 1)
    check_range("build(task_lock_exception_max_wait_seconds=...)", task_lock_exception_max_wait_seconds, 0)
    if reset_register:
        _compat.forget_redefined_task_classes()
    config_check.warn_unknown_entries()  # typos and unknown sections in the config files
    with frozen_configuration(), temporary_log_level(log_level):
        process_task_info(task, task_dump_config)
        if staleness.wants_rerun_stale(task, rerun_stale):
            staleness.mark_stale(task)
    if dask_scheduler:
        from kartcore.execution.dask_executor import run_on_dask  # imports Dask only when a run uses it

        with interruption.stopping_cleanly(), frozen_configuration(), temporary_log_level(log_level):
            run_on_dask(task, dask_scheduler)
        return _output(task, return_value)
    env_params.setdefault("log_level", logging.getLevelName(log_level))
    factory = WorkerSchedulerFactory()
    # progress first: it decides from the log level the user set, before build() turns luigi's down.
    with (
        interruption.stopping_cleanly(),
        frozen_configuration(),
        progress.reporting(workers=workers),
        temporary_log_level(log_level),
        failures.collecting() as collector,
    ):
        _check_definitions(task)
        result = luigi.build(
            [task],
            worker_scheduler_factory=factory,
            local_scheduler=True,
            detailed_summary=True,
            workers=workers,
            **env_params,
        )
        found = collector.failures(factory.scheduler)
    if result.status not in SUCCEEDED or found:
        raise BuildError(_message(task, result, found), found)
    return _output(task, return_value)


def _output(task: luigi.Task, return_value: bool) -> Any:
    if not return_value or not isinstance(task, TaskOnKart):
        return None
    if task.is_endpoint():
        return task.load()
    return map_targets(task.output(), lambda target: target.load())


def _check_definitions(task: luigi.Task) -> None:
    """Compute the ids up front: a broken ``requires()`` fails here, named in one line, before anything runs."""
    if isinstance(task, TaskOnKart):
        try:
            task.make_unique_id()
        except Exception as exc:
            if isinstance(exc, KartError):  # its message already names the task and the fix
                described = text = str(exc)
            else:
                described = definition_error(exc) or f"{type(exc).__name__}: {exc}"
                text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            failure = TaskFailure(task, exc, text)
            raise BuildError(f"cannot build {task.get_task_family()}: {described}", [failure]) from exc


def _message(task: luigi.Task, result: Any, found: list[TaskFailure]) -> str:
    lines = [f"build of {task.get_task_family()} did not complete ({result.status.name})."]
    lines += [f"  {failure_line(failure)}" for failure in found]
    if not found:
        lines.append(result.summary_text)
    return "\n".join(lines)
