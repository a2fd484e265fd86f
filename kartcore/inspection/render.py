"""A DAG drawn for people: indented text, Mermaid, Graphviz DOT or one self-contained HTML page.

Every renderer starts from the same :class:`~kartcore.inspection.view.TaskView` per task (state, unique
id, output paths, parameters, processing time), gathered once by :func:`~kartcore.inspection.view.describe`,
so all formats agree. The HTML page is drawn by :mod:`kartcore.inspection.html`, which shares the views,
not this module. Edges point the way data flows, from a requirement to the task that loads it.
"""

from __future__ import annotations

import luigi

from kartcore.inspection.tree import LAST, LAST_INDENT, MIDDLE, MIDDLE_INDENT, Dag, walk_dag
from kartcore.inspection.view import COLOURS, COMPLETE, PENDING, TaskView, describe

FORMATS = ("text", "mermaid", "dot", "html")


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
        from kartcore.inspection.html import render_html  # the layout code is only needed for pages

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
