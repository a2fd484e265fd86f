"""What every renderer shows about a task: its :class:`TaskView`, gathered once per DAG by :func:`describe`.

Shared by :mod:`kartcore.inspection.render` (text, Mermaid, DOT) and :mod:`kartcore.inspection.html`
(the page), so all formats agree and neither renderer imports the other. Looking at a DAG never runs
anything: the state comes from the outputs on disk (see :func:`kartcore.inspection.tree.is_done`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import KartError
from kartcore.inspection.tree import Dag, is_done
from kartcore.io.storage import display_path
from kartcore.task import TaskOnKart

COMPLETE, PENDING = "complete", "pending"

#: Fill and border colour per state, shared by the DOT and HTML renderers (and the HTML screenshot test).
COLOURS = {COMPLETE: ("#a5d6a7", "#2e7d32"), PENDING: ("#ffcc80", "#ef6c00")}


@dataclass(frozen=True)
class TaskView:
    """What the renderers show about one task."""

    task_id: str
    family: str
    unique_id: str
    state: str
    outputs: tuple[str, ...]
    params: dict[str, str] = field(default_factory=dict)
    processing_time: float | None = None
    requires: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``family[unique id]``, the name kartcore's messages use."""
        return f"{self.family}[{self.unique_id}]"

    @property
    def class_name(self) -> str:
        return self.family.rsplit(".", 1)[-1]

    def details(self) -> str:
        """Several lines for tooltips: parameters, outputs and processing time."""
        lines = [self.label, f"state: {self.state}"]
        lines.append(f"processing time: {format_seconds(self.processing_time)}")
        lines.extend(f"output: {path}" for path in self.outputs or ("(none: gathers its requirements)",))
        lines.extend(f"{name} = {value}" for name, value in self.params.items())
        return "\n".join(lines)


def describe(dag: Dag) -> dict[str, TaskView]:
    """One view per task of ``dag`` (in the walk's order, root first)."""
    states: dict[str, str] = {}
    for task_id in dag.upstream_first():
        task = dag.tasks[task_id]
        if _is_endpoint(task):
            done = all(states[required] == COMPLETE for required in dag.requires[task_id])
        else:
            done = is_done(task)
        states[task_id] = COMPLETE if done else PENDING
    return {task_id: _view(task, states[task_id], dag.requires[task_id]) for task_id, task in dag.tasks.items()}


def output_paths(task: luigi.Task) -> list[str]:
    """The paths of a task's outputs as the task computes them (relative ones stay relative)."""
    if _is_endpoint(task):
        return []
    paths = []
    for target in flatten(task.output()):
        path = getattr(target, "path", None)
        path = path() if callable(path) else path
        if isinstance(path, str):
            paths.append(path)
    return paths


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    return f"{seconds:.3f}s" if seconds < 10 else f"{seconds:.1f}s"


def _view(task: luigi.Task, state: str, requires: list[str]) -> TaskView:
    if isinstance(task, TaskOnKart):
        unique_id = task.make_unique_id()
        params = task.get_info(only_significant=True)
        try:
            seconds = task.get_processing_time()
        except KartError:  # an unreadable record: the view shows "unknown" rather than failing
            seconds = None
        processing_time = float(seconds) if isinstance(seconds, (int, float)) else None
    else:
        unique_id, params, processing_time = task.task_id, task.to_str_params(only_significant=True), None
    outputs = tuple(display_path(path) for path in output_paths(task))  # local tidied; s3://b/k kept whole
    family = task.get_task_family()
    return TaskView(task.task_id, family, unique_id, state, outputs, params, processing_time, tuple(requires))


def _is_endpoint(task: Any) -> bool:
    return isinstance(task, TaskOnKart) and task.is_endpoint()
