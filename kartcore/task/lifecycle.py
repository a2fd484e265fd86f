"""What happens around ``run()``: lock, seeds and staging before it, records and outputs published after it.

All of it happens *inside* ``run()``: every TaskOnKart subclass's ``run`` is wrapped once, at class
creation (:func:`guard_run`, from ``TaskOnKart.__init_subclass__``; no instance is patched). luigi
swallows exceptions raised in event handlers (START, PROCESSING_TIME, SUCCESS), so a step done there
that failed - a seed numpy refuses, a ``log/`` directory that cannot be written - would let ``run()``
go on with staging off and publish a half-done output. Inside the wrapper any failure fails the task:

1. before the user's ``run()`` (:func:`begin_run`): check the task is still incomplete (with
   ``task_completion_check_at_run``, as gokart's worker does: another process, or an upstream task
   whose output is also this task's, may have completed it since it was scheduled; ``run()`` is then
   skipped and nothing is recorded), take the run lock (:mod:`kartcore.task.locking`),
   fix the seeds, stage the start records and switch staging on. A failure here raises before the
   user's code starts and leaves nothing behind.
2. the user's ``run()``: every ``dump()`` goes to a temp file (:mod:`kartcore.task.staging`).
3. after it returned (:func:`finish_run`): check every output was dumped, stage the end records, then
   publish records first and outputs last (the main output's existence marks the task complete).
   If ``run()`` or any of this raises, everything staged is thrown away (:func:`abandon_run`).

A ``run`` that yields new requirements is a generator: the steps after it run when the generator is
exhausted; when luigi drops it for incomplete requirements, what it staged is thrown away and the lock
released, and the next call starts afresh. A ``super().run()`` inside a wrapped run is passed through.

Two event handlers remain, both unable to fail in practice: START wraps a ``run`` assigned to the
class after it was created (e.g. by ``monkeypatch``) and marks that luigi is about to run the task,
so that ``dump()`` refuses to write a final file if a run still bypasses the wrapper;
SUCCESS/FAILURE clear that mark.
"""

from __future__ import annotations

import functools
import logging
import time
import types
from collections.abc import Callable, Generator
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import OutputNotFoundError, TaskDefinitionError
from kartcore.task import integrity, locking, memory_outputs, records
from kartcore.task.module_versions import module_versions_text
from kartcore.task.seed import apply_seed, seed_for
from kartcore.task.source import defined_in
from kartcore.task.staging import StagedOutputs

AWAITING_RUN = "_kart_awaiting_run"
#: Set on a complete task that ``rerun_stale`` runs again (kartcore.execution.staleness).
RERUN_STALE = "_kart_rerun_stale"

logger = logging.getLogger(__name__)


def guard_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a class's ``run`` so the whole life cycle happens inside it (see the module docstring)."""
    if getattr(run, "_kart_guarded", False) or run is luigi.Task.run:
        return run

    @functools.wraps(run)
    def guarded_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        if type(self).run is not guarded_run:  # super().run() (or a mixin's) inside the task's own run
            return run(self, *args, **kwargs)
        staged = begin_run(self)
        if staged is None:  # the task became complete since it was scheduled (e.g. another worker ran it)
            return None
        try:
            result = run(self, *args, **kwargs)
            if isinstance(result, Generator):
                return _finish_when_exhausted(self, staged, result)
            finish_run(self, staged)
        except BaseException:
            abandon_run(self, staged)
            raise
        return result

    guarded_run._kart_guarded = True  # type: ignore[attr-defined]
    return guarded_run


def _finish_when_exhausted(
    task: Any, staged: StagedOutputs, steps: Generator[Any, Any, Any]
) -> Generator[Any, Any, Any]:
    finished = False
    try:
        result = yield from steps
        finish_run(task, staged)
        finished = True
        return result
    finally:
        if not finished:  # luigi dropped the run for new requirements, or it raised: let others take it
            abandon_run(task, staged)


def begin_run(task: Any) -> StagedOutputs | None:
    """Take the run lock, fix the seeds, stage the start records and switch staging on.

    Returns None when the task became complete since it was scheduled, or another worker completed it
    while this one waited for the lock (nothing to run). Raises, with nothing left staged and the lock
    released, when any step fails.
    """
    abandon_run(task)
    task.__dict__.pop(AWAITING_RUN, None)
    memory_outputs.check_runs_here(task)  # an in-memory output cannot outlive a separate task process
    if completed_meanwhile(task) or not locking.enter_run_lock(task):
        return None
    staged = StagedOutputs()
    try:
        seed = seed_for(task.make_unique_id(), task.fix_random_seed_value)
        staged.facts = records.RunFacts(seed, _fix_seeds(task, seed), module_versions_text())
        if memory_outputs.keeps_records(task):
            records.stage_start_records(task, staged, staged.facts)
    except BaseException:
        staged.discard_all()
        locking.release_run_lock(task)
        raise
    task._kart_staged = staged
    staged.facts.started = time.perf_counter()
    return staged


def completed_meanwhile(task: Any) -> bool:
    """With ``task_completion_check_at_run`` (or gokart's ``complete_check_at_run=True``): the task is complete
    now, so its ``run()`` is skipped.

    Not with ``rerun``, nor for a stale task run again by ``rerun_stale`` (their previous outputs stay until
    the new ones are published, so they would make it look complete). An error from ``complete()`` fails the
    task, before anything is staged.
    """
    asked = task.task_completion_check_at_run or getattr(task, "complete_check_at_run", None)  # gokart's own switch
    if not asked or task.rerun or task.__dict__.get(RERUN_STALE):
        return False
    if task.is_endpoint() or not task.complete():
        return False
    logger.warning("%s is skipped because the task is already completed", task.label())
    return True


def _fix_seeds(task: Any, seed: int) -> list[str]:
    try:
        return apply_seed(task.fix_random_seed_methods, seed)
    except Exception as exc:
        raise TaskDefinitionError(
            f"{task.label()} cannot fix its random seed to {seed} with {list(task.fix_random_seed_methods)} "
            f"({type(exc).__name__}: {exc}); set fix_random_seed_value to an integer from 0 to 2**32 - 1 "
            "(or leave it unset: the seed then derives from the unique id)"
        ) from exc


def finish_run(task: Any, staged: StagedOutputs) -> None:
    """After a successful ``run()``: check every output was dumped, stage the end records, publish all."""
    try:
        seconds = time.perf_counter() - staged.facts.started
        outputs = [] if task.is_endpoint() else flatten(task.output())
        paths = [_path_of(target) for target in outputs]
        missing = [path for path, t in zip(paths, outputs, strict=True) if path not in staged and not t.exists()]
        if missing:
            raise OutputNotFoundError(
                f"{task.label()} finished run() without dumping {', '.join(missing)}. Call self.dump(obj) in "
                f"run() (with a dict of outputs: self.dump(obj, '<key>')){defined_in(type(task))}"
            )
        if memory_outputs.keeps_records(task):
            records.stage_end_records(task, staged, staged.facts, seconds, paths)
        integrity.record_checksums(task, staged.files())  # a record too: before the outputs
        staged.commit_all()
    finally:
        staged.discard_all()
        if task._kart_staged is staged:
            task._kart_staged = None
        locking.release_run_lock(task)


def abandon_run(task: Any, staged: StagedOutputs | None = None) -> None:
    """Discard what a failed or restarted run staged, and release its run lock.

    With ``staged``, only that run's: a dropped generator may be finalised after the task's next run began.
    """
    current: StagedOutputs | None = getattr(task, "_kart_staged", None)
    if staged is not None and current is not staged:
        staged.discard_all()
        return
    task._kart_staged = None
    try:
        if current is not None:
            current.discard_all()
    finally:
        locking.release_run_lock(task)


def unstaged_dump_error(task: Any, path: str) -> TaskDefinitionError | None:
    """The error for a ``dump()`` luigi's run reaches without staging (a run kartcore could not wrap), else None."""
    if not task.__dict__.get(AWAITING_RUN):
        return None
    return TaskDefinitionError(
        f"{task.label()} dumped to {path} from a run() kartcore did not wrap (set on the instance?), so it "
        "could not be published only after run() succeeded; nothing was written. Define run() in the "
        f"class body{defined_in(type(task))}"
    )


def prepare_run(task: Any) -> None:
    """START: wrap a ``run`` assigned to the class after it was created, and mark that a run is starting."""
    task.__dict__[AWAITING_RUN] = True
    for owner in type(task).__mro__:
        run = owner.__dict__.get("run")
        if run is not None:
            guarded = guard_run(run) if isinstance(run, types.FunctionType) else run
            if guarded is not run:
                owner.run = guarded  # type: ignore[attr-defined]
            return


def run_ended(task: Any, *_: Any) -> None:
    """SUCCESS/FAILURE: luigi's run of the task is over."""
    task.__dict__.pop(AWAITING_RUN, None)


def _path_of(target: Any) -> str:
    path = target.path
    return str(path() if callable(path) else path)  # kartcore's Target.path() is a method, luigi's a string


def register(task_class: type[luigi.Task]) -> None:
    """Attach the two event handlers once (they apply to every subclass)."""
    task_class.event_handler(luigi.Event.START)(prepare_run)
    task_class.event_handler(luigi.Event.SUCCESS)(run_ended)
    task_class.event_handler(luigi.Event.FAILURE)(run_ended)
