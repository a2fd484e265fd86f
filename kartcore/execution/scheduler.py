"""luigi's local scheduler, with ``get_work`` and ``count_pending`` made linear in the size of the DAG.

Why: luigi's :class:`~luigi.scheduler.Scheduler` answers every ``get_work`` by pruning, sorting and
scanning every task it knows, and every ``count_pending`` by walking them again, so a DAG of N tasks
costs O(N^2) (about 20 s of scheduling for 1,600 trivial tasks). This subclass keeps luigi's scheduler
for everything that decides *what* happens (task states, dependencies, retry and disable policy,
failures and their text, ``task_list``/``fetch_error``) and changes only *how* the next task is found:

* a heap of candidate tasks ranked as luigi ranks them (priority, then the time the task was added),
  fed when a task is added as pending and when a dependency reports DONE; a candidate is checked
  with luigi's own ``_schedulable`` when it is popped;
* counts of pending tasks from the state's per-status tables instead of a walk;
* ``prune`` (where luigi turns FAILED into PENDING after ``[scheduler] retry_delay``) at most every
  ``PRUNE_SECONDS``, followed by one scan that re-queues what it made runnable.

Whenever a feature this fast path does not model is in use (resources, batched tasks, assistants,
pausing, several workers, disabled tasks) the call goes to luigi's own method unchanged.
The remote scheduler (luigid) is never replaced.
"""

from __future__ import annotations

import heapq
import itertools
import time
from typing import Any

import luigi.scheduler
from luigi.scheduler import DISABLED, DONE, FAILED, PENDING, RUNNING

PRUNE_SECONDS = 0.5


class LocalScheduler(luigi.scheduler.Scheduler):
    """luigi's Scheduler for ``--local-scheduler`` runs, answering ``get_work`` in O(log N)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("record_task_history", False)
        prune_on_get_work = kwargs.pop("prune_on_get_work", True)
        super().__init__(prune_on_get_work=False, **kwargs)
        self._kart_prune = prune_on_get_work
        self._kart_last_prune = 0.0
        self._kart_heap: list[tuple[Any, ...]] = []
        self._kart_order = itertools.count()
        self._kart_dependents: dict[str, set[str]] = {}
        self._kart_waiting: dict[str, set[str]] = {}  # task id -> dependencies not known to be DONE
        self._kart_slow = False  # a feature the fast path does not model was seen: use luigi's methods

    # ----- bookkeeping on luigi's own entry points ---------------------------------------------

    def add_task(self, task_id: Any = None, status: str = PENDING, **kwargs: Any) -> Any:
        result = super().add_task(task_id=task_id, status=status, **kwargs)
        if kwargs.get("resources") or kwargs.get("assistant") or kwargs.get("batch_id") is not None:
            self._kart_slow = True
        task = self._state.get_task(task_id, default=None)
        if task is None:
            return result
        if kwargs.get("deps") is not None or kwargs.get("new_deps") is not None:
            self._kart_waiting.pop(task_id, None)
            for dep in task.deps or ():
                self._kart_dependents.setdefault(dep, set()).add(task_id)
        if task.status == PENDING:
            self._kart_push(task)
        elif task.status == DONE:
            for dependent_id in self._kart_dependents.get(task_id, ()):
                waiting = self._kart_waiting.get(dependent_id)
                if waiting is not None:
                    waiting.discard(task_id)
                    if waiting:
                        continue
                dependent = self._state.get_task(dependent_id, default=None)
                if dependent is not None and dependent.status == PENDING:
                    self._kart_push(dependent)
        return result

    def add_task_batcher(self, *args: Any, **kwargs: Any) -> Any:
        self._kart_slow = True
        return super().add_task_batcher(*args, **kwargs)

    def mark_as_done(self, task_id: Any = None) -> Any:
        result = super().mark_as_done(task_id)
        self._kart_requeue()
        return result

    def prune(self) -> None:
        super().prune()
        self._kart_last_prune = time.monotonic()
        self._kart_requeue()

    # ----- the fast path ---------------------------------------------------------------------------

    def get_work(
        self, host: Any = None, assistant: bool = False, current_tasks: Any = None, worker: Any = None, **kwargs: Any
    ) -> Any:
        if self._kart_prune and time.monotonic() - self._kart_last_prune >= PRUNE_SECONDS:
            self.prune()
        if not self._kart_fast(assistant):
            self._kart_slow = True
            return super().get_work(
                host=host, assistant=assistant, current_tasks=current_tasks, worker=worker, **kwargs
            )
        worker_id = worker
        state = self._update_worker(worker_id, worker_reference={"host": host}, get_work=True)
        if not state.enabled:
            return {
                "n_pending_tasks": 0,
                "running_tasks": [],
                "task_id": None,
                "n_unique_pending": 0,
                "worker_state": state.state,
            }
        best = self._kart_reissue(worker_id, current_tasks) or self._kart_pop(worker_id)
        reply = self.count_pending(worker_id)
        if best is None:
            reply["task_id"] = None
            return reply
        if best.status != RUNNING:
            self.update_metrics_task_started(best)
            self._state.set_status(best, RUNNING, self._config)
            best.worker_running = worker_id
            best.resources_running = best.resources.copy()
            best.time_running = time.time()
            self._update_task_history(best, RUNNING, host=host)
        reply.update(
            task_id=best.id, task_family=best.family, task_module=getattr(best, "module", None), task_params=best.params
        )
        return reply

    def count_pending(self, worker: Any) -> Any:
        if not self._kart_fast(False) or self._kart_any(DISABLED):
            return super().count_pending(worker)
        worker_id = worker
        state = self._state
        running = list(state.get_active_tasks_by_status(RUNNING))
        failed = sum(1 for _ in state.get_active_tasks_by_status(FAILED))
        pending = state.num_pending_tasks() - len(running) + failed
        running_info = []
        for task in running:
            other = state.get_worker(task.worker_running)
            if other is not None:
                info = {"task_id": task.id, "worker": str(other)}
                info.update(other.info)
                running_info.append(info)
        return {
            "n_pending_tasks": pending,
            "n_unique_pending": pending,
            "n_pending_last_scheduled": pending,
            "worker_state": state.get_worker(worker_id).state,
            "running_tasks": running_info,
        }

    def _kart_fast(self, assistant: bool) -> bool:
        if self._kart_slow or assistant or self._paused:
            return False
        return sum(1 for _ in itertools.islice(self._state.get_active_workers(), 2)) <= 1

    def _kart_any(self, status: str) -> bool:
        return next(iter(self._state.get_active_tasks_by_status(status)), None) is not None

    def _kart_push(self, task: Any) -> None:
        priority, added = self._rank(task)
        heapq.heappush(self._kart_heap, (-priority, -added, next(self._kart_order), task.id))

    def _kart_requeue(self) -> None:
        for task in list(self._state.get_active_tasks_by_status(PENDING)):
            if self._schedulable(task):
                self._kart_waiting.pop(task.id, None)
                self._kart_push(task)

    def _kart_ready(self, task: Any) -> bool:
        """luigi's ``_schedulable``, but a task waiting on many dependencies is not re-walked at each pop."""
        waiting = self._kart_waiting.get(task.id)
        if waiting is None or not waiting:
            if self._schedulable(task):
                return True
            self._kart_waiting[task.id] = {dep for dep in task.deps if not self._kart_done(dep)}
            return False
        return False

    def _kart_done(self, task_id: str) -> bool:
        dep = self._state.get_task(task_id, default=None)
        return dep is not None and dep.status == DONE

    def _kart_reissue(self, worker_id: Any, current_tasks: Any) -> Any:
        """As luigi does: a task running for this worker that the worker no longer lists is handed out again."""
        if current_tasks is None:
            return None
        listed = set(current_tasks)
        found = None
        for task in sorted(self._state.get_active_tasks_by_status(RUNNING), key=self._rank):
            if task.worker_running == worker_id and task.id not in listed:
                found = task
        return found

    def _kart_pop(self, worker_id: Any) -> Any:
        heap = self._kart_heap
        skipped = []
        best = None
        while heap:
            negative_priority, negative_added, _, task_id = heapq.heappop(heap)
            task = self._state.get_task(task_id, default=None)
            if task is None or task.status != PENDING:
                continue
            priority, added = self._rank(task)
            if (-priority, -added) != (negative_priority, negative_added):  # its priority was raised meanwhile
                self._kart_push(task)
                continue
            if not self._kart_ready(task):
                continue  # queued again when its last dependency reports DONE
            if worker_id not in task.workers:
                skipped.append(task)
                continue
            best = task
            break
        for task in skipped:
            self._kart_push(task)
        return best
