"""``rerun_stale``: before a run, mark the stale tasks of the DAG (and what they feed) to run again.

The plan (:mod:`kartcore.inspection.plan`) says which complete tasks the run must run again so that
nothing is stale afterwards: the stale ones, and with them every complete task whose input a running
upstream rewrites. Each is marked the way ``rerun=True`` marks a task (its first ``complete()`` answers
False, and ``run()`` is not skipped as "completed meanwhile"), so the scheduler runs them in dependency
order into the same file names; nothing else changes. The marks sit on the task instances the scheduler
gets back from ``requires()`` (luigi hands out one instance per task and parameters).
"""

from __future__ import annotations

import logging

import luigi

from kartcore.task import TaskOnKart
from kartcore.task.lifecycle import RERUN_STALE

logger = logging.getLogger("kartcore")


def wants_rerun_stale(root: luigi.Task, requested: bool | None = None) -> bool:
    """``requested`` if given (``build(rerun_stale=...)``), else the root's ``rerun_stale`` parameter."""
    if requested is not None:
        return bool(requested)
    return bool(getattr(root, "rerun_stale", False))


def mark_stale(root: luigi.Task) -> list[luigi.Task]:
    """Mark the complete tasks a ``rerun_stale`` run runs again; return them, upstream first."""
    from kartcore.inspection.plan import make_plan  # the plan's modules are needed only with rerun_stale

    again = make_plan(root, rerun_stale=True).rerun_again()
    for task in again:
        if isinstance(task, TaskOnKart):
            task._kart_rerun_pending = True
            task.__dict__[RERUN_STALE] = True
    if again:
        names = ", ".join(task.get_task_family() for task in again[:10])
        more = f" and {len(again) - 10} more" if len(again) > 10 else ""
        logger.info("rerun_stale: running %d stale task(s) again: %s%s", len(again), names, more)
    return again
