"""A plan as text (aligned lines), Markdown (a table, e.g. for a CI job summary) or JSON (for tools)."""

from __future__ import annotations

import json

from kartcore.inspection.plan import Plan

FORMATS = ("text", "markdown", "json")


def render_plan(plan: Plan, fmt: str = "text") -> str:
    """``plan`` in one of :data:`FORMATS`, ending with a newline."""
    if fmt == "json":
        return json.dumps(plan_as_dict(plan), indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(plan)
    if fmt != "text":
        raise ValueError(f"unknown plan format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render_text(plan)


def render_text(plan: Plan) -> str:
    """One line per task, upstream first: action, task, reasons; then the summary line."""
    width = max((len(planned.label) for planned in plan.tasks.values()), default=0)
    lines = []
    for planned in plan.tasks.values():
        why = "; ".join(planned.reasons)
        lines.append(f"{planned.action:<7} {planned.label:<{width}}  {why}".rstrip())
    lines.append(plan.summary())
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan) -> str:
    """A Markdown table (task, action, why) under the summary line."""
    lines = [f"**{plan.summary()}**", "", "| task | next run | why |", "| --- | --- | --- |"]
    for planned in plan.tasks.values():
        why = "; ".join(planned.reasons).replace("|", "\\|")
        lines.append(f"| `{planned.label}` | {planned.action} | {why} |")
    return "\n".join(lines) + "\n"


def plan_as_dict(plan: Plan) -> dict[str, object]:
    """The JSON shape: root, mode, counts, summary and every task (upstream first) with its requirements."""
    root = plan.tasks[plan.dag.root.task_id]
    return {
        "root": root.label,
        "rerun_stale": plan.rerun_stale,
        "counts": plan.counts(),
        "summary": plan.summary(),
        "tasks": [
            {
                "task": planned.label,
                "task_family": planned.family,
                "unique_id": planned.unique_id,
                "action": planned.action,
                "reasons": list(planned.reasons),
                "runs": planned.runs,
                "complete": planned.complete,
                "requires": list(planned.requires),
            }
            for planned in plan.tasks.values()
        ],
    }
