"""luigi internals kartcore relies on, each checked by name so a luigi upgrade that moves one fails here.

pyproject allows luigi >=3.5,<4. kartcore touches luigi's private API in four places only:
``_compat.py`` (``Register._reg``), ``execution/scheduler.py`` (the Scheduler's state and helpers),
``execution/factory.py`` (the worker's result queue) and ``execution/command_line.py`` (the command-line
parser's ``_build_parser`` and its global ``_instance``). The behaviour behind them is tested elsewhere
(tests/kartcore/execution/test_scheduler.py runs every scheduling check on both schedulers); this file
says *which* seam broke.
"""

from __future__ import annotations

import inspect

import luigi
import luigi.scheduler
import luigi.worker
from luigi.cmdline_parser import CmdlineParser
from luigi.task_register import Register


def test_register_keeps_classes_in_a_list() -> None:
    assert isinstance(Register._reg, list)
    assert luigi.Task in Register._reg or any(issubclass(cls, luigi.Task) for cls in Register._reg)


def test_scheduler_members_the_local_scheduler_builds_on() -> None:
    scheduler = luigi.scheduler.Scheduler()
    state = scheduler._state
    for name in ("get_task", "set_status", "get_active_tasks_by_status", "get_active_workers", "get_worker"):
        assert callable(getattr(state, name)), name
    assert callable(state.num_pending_tasks)
    for name in ("_update_worker", "_schedulable", "_rank", "_update_task_history", "update_metrics_task_started"):
        assert callable(getattr(scheduler, name)), name
    assert scheduler._paused is False
    assert scheduler._config is not None
    assert {"prune_on_get_work", "record_task_history"} <= set(dict(luigi.scheduler.scheduler.get_params()))


def test_get_work_and_add_task_keep_their_keywords() -> None:
    get_work = inspect.signature(luigi.scheduler.Scheduler.get_work).parameters
    assert {"host", "assistant", "current_tasks", "worker"} <= set(get_work)
    add_task = inspect.signature(luigi.scheduler.Scheduler.add_task).parameters
    assert {"task_id", "status", "deps", "new_deps", "resources", "assistant", "batch_id"} <= set(add_task)


def test_worker_has_a_replaceable_result_queue() -> None:
    with luigi.worker.Worker(scheduler=luigi.scheduler.Scheduler()) as worker:
        queue = worker._task_result_queue
        assert callable(queue.put) and callable(queue.get)


def test_command_line_parser_builds_its_argparse_parser_in_one_overridable_place() -> None:
    assert isinstance(inspect.getattr_static(CmdlineParser, "_build_parser"), staticmethod)
    assert "self._build_parser(" in inspect.getsource(CmdlineParser.__init__)
    previous = CmdlineParser._instance
    marker = object.__new__(CmdlineParser)
    CmdlineParser._instance = marker
    try:
        assert CmdlineParser.get_instance() is marker, "get_instance() reads the class attribute kartcore sets"
    finally:
        CmdlineParser._instance = previous
