"""A DAG drawn for people: indented text, Mermaid, Graphviz DOT or one self-contained HTML page.

Every renderer starts from the same :class:`TaskView` per task (state, unique id, output paths,
parameters, processing time), gathered once by :func:`describe`, so all formats agree. Looking at a
DAG never runs anything: the state comes from the outputs on disk (see :func:`kartcore.tree.is_done`).
Edges point the way data flows, from a requirement to the task that loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import KartError
from kartcore.io.storage import display_path
from kartcore.task import TaskOnKart
from kartcore.tree import LAST, LAST_INDENT, MIDDLE, MIDDLE_INDENT, Dag, is_done, walk_dag

COMPLETE, PENDING = "complete", "pending"
FORMATS = ("text", "mermaid", "dot", "html")

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


def render(task_or_dag: luigi.Task | Dag, fmt: str = "text") -> str:
    """The DAG in one of :data:`FORMATS`."""
    dag = task_or_dag if isinstance(task_or_dag, Dag) else walk_dag(task_or_dag)
    views = describe(dag)
    if fmt == "text":
        return render_text(dag, views)
    if fmt == "mermaid":
        return render_mermaid(views)
    if fmt == "dot":
        return render_dot(views)
    if fmt == "html":
        from kartcore.tree_html import render_html  # the layout code is only needed for pages

        return render_html(dag, views)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_text(dag: Dag, views: dict[str, TaskView]) -> str:
    """gokart's indented tree (``└─-(COMPLETE) Name[id]``) plus each task's output path; shared subtrees once."""
    lines: list[str] = []
    shown: set[str] = set()
    stack: list[tuple[str, str, bool]] = [(dag.root.task_id, "", True)]
    while stack:
        task_id, prefix, is_last = stack.pop()
        view = views[task_id]
        outputs = ", ".join(view.outputs) if view.outputs else "(no output)"
        lines.append(f"{prefix}{LAST if is_last else MIDDLE}({view.state.upper()}) {view.label}  {outputs}")
        child_prefix = prefix + (LAST_INDENT if is_last else MIDDLE_INDENT)
        if task_id in shown and view.requires:
            lines.append(f"{child_prefix}└─- ... (shown above)")
            continue
        shown.add(task_id)
        for position, child in reversed(list(enumerate(view.requires))):
            stack.append((child, child_prefix, position == len(view.requires) - 1))
    counts = {state: sum(v.state == state for v in views.values()) for state in (COMPLETE, PENDING)}
    lines.append(f"{len(views)} tasks: {counts[COMPLETE]} complete, {counts[PENDING]} pending")
    return "\n".join(lines) + "\n"


def render_mermaid(views: dict[str, TaskView]) -> str:
    """A Mermaid flowchart, upstream at the top; classes colour the states."""
    keys = _node_keys(views)
    lines = ["flowchart TD"]
    for task_id, view in views.items():
        label = "<br/>".join(_mermaid_text(part) for part in (view.family, view.unique_id, *view.outputs, view.state))
        lines.append(f'    {keys[task_id]}["{label}"]:::{view.state}')
    for task_id, view in views.items():
        lines.extend(f"    {keys[required]} --> {keys[task_id]}" for required in view.requires)
    for state, (fill, stroke) in COLOURS.items():
        lines.append(f"    classDef {state} fill:{fill},stroke:{stroke},color:#000")
    return "\n".join(lines) + "\n"


def render_dot(views: dict[str, TaskView]) -> str:
    """A Graphviz digraph (``dot -Tsvg``), upstream at the top, tooltips with the parameters."""
    keys = _node_keys(views)
    lines = [
        "digraph kart {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for task_id, view in views.items():
        fill, stroke = COLOURS[view.state]
        label = "\\n".join(_dot_text(part) for part in (view.family, view.unique_id, *view.outputs, view.state))
        tooltip = _dot_text(view.details()).replace("\n", "\\n")
        lines.append(
            f'    {keys[task_id]} [label="{label}", fillcolor="{fill}", color="{stroke}", tooltip="{tooltip}"];'
        )
    for task_id, view in views.items():
        lines.extend(f"    {keys[required]} -> {keys[task_id]};" for required in view.requires)
    lines.append("}")
    return "\n".join(lines) + "\n"


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


def _node_keys(views: dict[str, TaskView]) -> dict[str, str]:
    """Short identifiers (``n0``, ``n1``...) that are valid in every syntax, whatever the task ids contain."""
    return {task_id: f"n{number}" for number, task_id in enumerate(views)}


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: look-alikes for the characters the syntax or its HTML labels would take.

    Mermaid's own entity codes (``#quot;``) are shown undecoded by some renderers, so a path with a
    quote or an angle bracket is drawn with a look-alike instead (the text output keeps it exact).
    """
    return text.translate(_MERMAID_LOOKALIKES)


_MERMAID_LOOKALIKES = str.maketrans({'"': "\uff02", "<": "\u2039", ">": "\u203a", "#": "\uff03"})


def _dot_text(text: str) -> str:
    """Text for a quoted DOT string: backslashes and quotes escaped."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
