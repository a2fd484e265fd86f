"""What happens around ``run()``: seeds and records at start, outputs published at success.

luigi calls these through events and ``on_success``/``on_failure`` in the process that runs the
task (also a forked worker process). The order is the safety property: records first, outputs
last, and outputs only if ``run()`` returned normally.

With Redis configured, the run lock (:mod:`kartcore.task.locking`) brackets all of it: taken at
START before any record is written, released after the outputs are published or thrown away. A
run that START finds already completed by another worker writes and publishes nothing.
"""

from __future__ import annotations

from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import OutputNotFoundError
from kartcore.task import integrity, locking, records
from kartcore.task.seed import apply_seed, seed_for
from kartcore.task.source import defined_in
from kartcore.task.staging import StagedOutputs


def begin_run(task: Any) -> None:
    """Take the run lock, fix the seeds, write the start records and start staging the outputs."""
    abandon_run(task)
    if not locking.enter_run_lock(task):
        return
    seed = seed_for(task.make_unique_id(), task.fix_random_seed_value)
    methods = apply_seed(task.fix_random_seed_methods, seed)
    if task.should_dump_supplementary_log_files:
        records.write_start_records(task, {"seed": seed, "seed_methods": methods})
    task._kart_staged = StagedOutputs()


def record_processing_time(task: Any, seconds: float) -> None:
    """Write how long ``run()`` took."""
    if task.should_dump_supplementary_log_files and not locking.run_skipped(task):
        records.write_processing_time(task, seconds)


def publish_outputs(task: Any) -> None:
    """After a successful ``run()``: check every output was dumped, write the task log, publish."""
    staged: StagedOutputs | None = task._kart_staged
    if staged is None:
        locking.release_run_lock(task)
        return
    task._kart_staged = None
    try:
        outputs = [] if task.is_endpoint() else flatten(task.output())
        missing = [t.path() for t in outputs if t.path() not in staged and not t.exists()]
        if missing:
            raise OutputNotFoundError(
                f"{task.label()} finished run() without dumping {', '.join(missing)}. Call self.dump(obj) in "
                f"run() (with a dict of outputs: self.dump(obj, '<key>')){defined_in(type(task))}"
            )
        if task.should_dump_supplementary_log_files:
            records.write_task_log(task, [t.path() for t in outputs])
        integrity.record_checksums(task, staged.files())  # a record too: before the outputs
        staged.commit_all()
    finally:
        staged.discard_all()
        locking.release_run_lock(task)


def abandon_run(task: Any) -> None:
    """Discard anything a failed or restarted run staged, and release its run lock."""
    staged: StagedOutputs | None = getattr(task, "_kart_staged", None)
    task._kart_staged = None
    try:
        if staged is not None:
            staged.discard_all()
    finally:
        locking.release_run_lock(task)


def register(task_class: type[luigi.Task]) -> None:
    """Attach the life cycle to ``task_class`` once (handlers apply to every subclass)."""
    task_class.event_handler(luigi.Event.START)(begin_run)
    task_class.event_handler(luigi.Event.PROCESSING_TIME)(record_processing_time)
    # Safety net for subclasses that override on_success() without calling super().
    task_class.event_handler(luigi.Event.SUCCESS)(publish_outputs)
