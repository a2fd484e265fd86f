"""What the next run of a DAG will do to each task, and why: ``run``, ``stale``, ``cached`` or ``unknown``.

Behind ``kart plan`` and ``rerun_stale`` (which marks what the plan says runs again). The plan follows
the scheduler's walk, with the files as they are now and nothing run or written:

* the root is visited; a visited task that will run has its requirements visited (a complete task's
  requirements are never looked at by the scheduler, so they do not run, whatever their state);
* a task runs when it has no output (``no output``; a task without ``run()`` or with ``strict_check``
  when a requirement is not complete: ``an upstream runs``) or ``rerun=True``;
* a complete task is ``stale`` when :mod:`kartcore.task.staleness` says so or a requirement is stale,
  ``unknown`` when its fingerprint is, else ``cached``. In a plain run a stale task does not run (gokart's
  behaviour); with ``rerun_stale`` it does, and so does every complete task a running upstream rewrites
  the inputs of (``an upstream runs``), so that afterwards nothing is stale.

Every task is visited once; the walk is :func:`kartcore.inspection.tree.walk_dag`, as for ``kart tree``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import luigi
from luigi.task import flatten

from kartcore.inspection.tree import Dag, is_done, walk_dag
from kartcore.task import TaskOnKart
from kartcore.task.completion import inputs_not_newer
from kartcore.task.resolution import frozen_configuration
from kartcore.task.staleness import FRESH, STALE, UNKNOWN, Verdict, verdict

RUN, CACHED = "run", "cached"
ACTIONS = (RUN, STALE, CACHED, UNKNOWN)
AN_UPSTREAM_RUNS = "an upstream runs"


@dataclass(frozen=True)
class PlannedTask:
    """One task of the plan."""

    task_id: str
    family: str
    unique_id: str
    action: str
    reasons: tuple[str, ...]
    requires: tuple[str, ...]
    #: Its outputs exist now (a complete task that runs is run again into the same files).
    complete: bool
    #: The next run runs it.
    runs: bool

    @property
    def label(self) -> str:
        return f"{self.family}[{self.unique_id}]"


@dataclass
class Plan:
    """Every task of the DAG, upstream first, with what the next run does."""

    dag: Dag
    rerun_stale: bool
    tasks: dict[str, PlannedTask] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Tasks per action, every action present."""
        found = Counter(planned.action for planned in self.tasks.values())
        return {action: found.get(action, 0) for action in ACTIONS}

    def summary(self) -> str:
        """One line: the counts, and whether the stale tasks run."""
        counts = self.counts()
        line = f"{len(self.tasks)} tasks: " + ", ".join(f"{counts[action]} {action}" for action in ACTIONS)
        if counts[STALE]:
            line += (
                "; rerun_stale is on: the stale tasks run again"
                if self.rerun_stale
                else ("; the stale tasks run again only with --rerun-stale")
            )
        return line

    def rerun_again(self) -> list[luigi.Task]:
        """The complete tasks the next run runs again (what ``rerun_stale`` marks), upstream first."""
        return [self.dag.tasks[tid] for tid, planned in self.tasks.items() if planned.runs and planned.complete]


def make_plan(root: luigi.Task, rerun_stale: bool | None = None) -> Plan:
    """The plan of ``root``'s DAG; ``rerun_stale`` defaults to the root's own ``rerun_stale`` parameter."""
    mode = bool(getattr(root, "rerun_stale", False)) if rerun_stale is None else rerun_stale
    with frozen_configuration():
        dag = walk_dag(root)
        order = dag.upstream_first()
        done: dict[str, bool] = {}
        verdicts: dict[str, Verdict | None] = {}
        for task_id in order:
            task = dag.tasks[task_id]
            requires = dag.requires[task_id]
            done[task_id] = _complete(task, [done[r] for r in requires])
            verdicts[task_id] = _verdict(task, done[task_id], [verdicts[r] for r in requires], dag)
    runs = _simulate(dag, done, verdicts, mode)
    plan = Plan(dag, mode)
    for task_id in order:
        plan.tasks[task_id] = _planned(dag, task_id, done[task_id], verdicts[task_id], runs)
    return plan


def _complete(task: luigi.Task, requirements_done: list[bool]) -> bool:
    """Whether the scheduler finds ``task`` complete now (without consuming a pending ``rerun``)."""
    if not isinstance(task, TaskOnKart):
        return bool(task.complete())
    if task.is_endpoint():
        return all(requirements_done)
    if not is_done(task):
        return False
    if task.strict_check or task.modification_time_check:
        inputs = flatten(task.input())
        if not all(requirements_done) or not all(target.exists() for target in inputs):
            return False
        if task.modification_time_check:
            return inputs_not_newer(inputs, flatten(task.output()))
    return True


def _verdict(task: luigi.Task, done: bool, upstream: list[Verdict | None], dag: Dag) -> Verdict | None:
    """Fresh, stale or unknown for a complete kart task; for one that is not complete, only what it carries.

    A task that is not complete carries the staleness of its upstream, so that a complete task above it is
    stale too (and ``rerun_stale`` reaches the stale task below through it).
    """
    stale_upstream = [
        dag.tasks[tid]
        for tid, found in zip(dag.requires[task.task_id], upstream, strict=True)
        if found is not None and found.kind == STALE
    ]
    carried = tuple(f"upstream {_label(up)} is stale" for up in stale_upstream)
    if not done or not isinstance(task, TaskOnKart) or task.rerun:
        return Verdict(STALE, carried) if carried else None
    own = Verdict(FRESH) if task.is_endpoint() else verdict(task)
    if not carried:
        return own
    return Verdict(STALE, (own.reasons if own.kind == STALE else ()) + carried)


def _simulate(dag: Dag, done: dict[str, bool], verdicts: dict[str, Verdict | None], rerun_stale: bool) -> dict:
    """Task id -> why it runs, for the tasks the scheduler's walk reaches and runs."""
    dependents = dag.dependents()
    root = dag.root.task_id
    visited = {root}
    runs: dict[str, str] = {}
    queue = [root]
    while queue:
        task_id = queue.pop()
        if task_id in runs:
            continue
        upstream_runs = rerun_stale and any(r in runs for r in dag.requires[task_id])
        if _own_reason(dag.tasks[task_id], done[task_id], verdicts[task_id], rerun_stale) is None and not upstream_runs:
            continue
        starting = [task_id]
        while starting:
            current = starting.pop()
            if current in runs:
                continue
            own = _own_reason(dag.tasks[current], done[current], verdicts[current], rerun_stale)
            runs[current] = own or AN_UPSTREAM_RUNS
            for requirement in dag.requires[current]:
                if requirement not in visited:
                    visited.add(requirement)
                    queue.append(requirement)
            if rerun_stale:  # every dependent's input is about to be rewritten: it runs, and so its own dependents
                visited.update(dependents[current])
                starting += [d for d in dependents[current] if d not in runs]
    return runs


def _own_reason(task: luigi.Task, done: bool, found: Verdict | None, rerun_stale: bool) -> str | None:
    if getattr(task, "rerun", False):
        return "rerun=True"
    if not done:
        if isinstance(task, TaskOnKart) and (task.is_endpoint() or is_done(task)):
            return AN_UPSTREAM_RUNS  # no output of its own, or strict_check: complete once its upstream is
        return "no output"
    if rerun_stale and found is not None and found.kind == STALE:
        return STALE  # (a complete task: _verdict gives the others only what they carry)
    return None


def _planned(dag: Dag, task_id: str, done: bool, found: Verdict | None, runs: dict[str, str]) -> PlannedTask:
    task = dag.tasks[task_id]
    why = runs.get(task_id)
    kind = found.kind if found is not None and done and not getattr(task, "rerun", False) else None
    if kind == STALE or (kind == UNKNOWN and why is None):
        action, reasons = kind, found.reasons if found is not None else ()
    elif why is not None:
        action, reasons = RUN, (why,)
    elif not done:
        action, reasons = CACHED, ("no output, but nothing that runs needs it (its dependents are complete)",)
    else:
        action, reasons = CACHED, ()
        if any(r in runs for r in dag.requires[task_id]):
            reasons = ("an upstream runs and rewrites its input: stale after this run (use --rerun-stale)",)
    unique_id = task.make_unique_id() if isinstance(task, TaskOnKart) else task.task_id
    requires = tuple(_label(dag.tasks[r]) for r in dag.requires[task_id])
    return PlannedTask(task_id, task.get_task_family(), unique_id, action, reasons, requires, done, why is not None)


def _label(task: luigi.Task) -> str:
    unique_id = task.make_unique_id() if isinstance(task, TaskOnKart) else task.task_id
    return f"{task.get_task_family()}[{unique_id}]"
