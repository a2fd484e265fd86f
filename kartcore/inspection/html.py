"""The DAG as one self-contained HTML page: inline SVG laid out in Python, no network, no JS library.

Why self-contained: the page is opened from a file, attached to a ticket or archived next to the
outputs, often where no CDN is reachable. The layout is a simple layered one: a task sits one
layer below the deepest task it requires (so data flows downwards and the root is at the bottom),
and a few barycentre sweeps order each layer to cut down crossing edges. Hovering a task shows its
parameters, outputs and processing time (an SVG ``<title>`` and a side panel).
"""

from __future__ import annotations

import datetime
import html
import itertools
import json
from dataclasses import dataclass, field

from kartcore.inspection.tree import Dag
from kartcore.inspection.view import COLOURS, TaskView, format_seconds

NODE_WIDTH, NODE_HEIGHT = 240, 64
GAP_X, GAP_Y, MARGIN = 36, 72, 24
PLACEHOLDER_WIDTH = 12
SWEEPS = 4
MAX_CHARS = 30


@dataclass
class Drawing:
    """Where everything goes: each task's box (top-left corner) and each edge's waypoints, in pixels."""

    boxes: dict[str, tuple[float, float]] = field(default_factory=dict)
    routes: list[list[tuple[float, float]]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def layers_of(dag: Dag, views: dict[str, TaskView]) -> tuple[list[list[str]], list[list[str]]]:
    """Ids by layer (layer 0: tasks that require nothing), ordered to reduce crossings, and each edge's chain.

    An edge that spans several layers gets a thin placeholder in each layer it crosses, so it is routed
    around the boxes of those layers instead of through them.
    """
    depth: dict[str, int] = {}
    for task_id in dag.upstream_first():
        depth[task_id] = 1 + max((depth[r] for r in views[task_id].requires), default=-1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for task_id in views:  # walk order first: a stable start for the sweeps
        layers[depth[task_id]].append(task_id)
    chains: list[list[str]] = []
    for task_id, view in views.items():
        for required in view.requires:
            between = []
            for row in range(depth[required] + 1, depth[task_id]):
                between.append(f"{required}>{task_id}@{row}")
                layers[row].append(between[-1])
            chains.append([required, *between, task_id])
    above: dict[str, list[str]] = {item: [] for layer in layers for item in layer}
    below: dict[str, list[str]] = {item: [] for layer in layers for item in layer}
    for chain in chains:
        for upper, lower in itertools.pairwise(chain):
            above[lower].append(upper)
            below[upper].append(lower)
    for sweep in range(SWEEPS):
        downwards = sweep % 2 == 0
        neighbours = above if downwards else below
        for layer in layers[1:] if downwards else list(reversed(layers[:-1])):
            position = _positions(layers)
            layer.sort(key=lambda item: _barycentre([position[n] for n in neighbours[item]], position[item]))
    return layers, chains


def layout(dag: Dag, views: dict[str, TaskView]) -> Drawing:
    """Boxes centred layer by layer, and edge routes through their placeholders."""
    layers, chains = layers_of(dag, views)
    widths = [[NODE_WIDTH if item in views else PLACEHOLDER_WIDTH for item in layer] for layer in layers]
    row_widths = [sum(row) + max(len(row) - 1, 0) * GAP_X for row in widths]
    drawing = Drawing(width=2 * MARGIN + max(row_widths, default=0))
    drawing.height = 2 * MARGIN + len(layers) * NODE_HEIGHT + max(len(layers) - 1, 0) * GAP_Y
    centres: dict[str, tuple[float, float]] = {}
    for row, layer in enumerate(layers):
        left = (drawing.width - row_widths[row]) / 2
        top = MARGIN + row * (NODE_HEIGHT + GAP_Y)
        for item, item_width in zip(layer, widths[row], strict=True):
            centres[item] = (left + item_width / 2, top)
            if item in views:
                drawing.boxes[item] = (left, top)
            left += item_width + GAP_X
    for chain in chains:
        start, *placeholders, end = chain
        route = [(centres[start][0], centres[start][1] + NODE_HEIGHT)]
        for item in placeholders:
            route += [centres[item], (centres[item][0], centres[item][1] + NODE_HEIGHT)]
        drawing.routes.append([*route, centres[end]])
    return drawing


def render_html(dag: Dag, views: dict[str, TaskView]) -> str:
    """The whole page as a string."""
    title = views[dag.root.task_id].label
    drawing = layout(dag, views)
    width, height = drawing.width, drawing.height
    edges = [_edge(route) for route in drawing.routes]
    nodes = [_node(view, drawing.boxes[task_id]) for task_id, view in views.items()]
    complete = sum(view.state == "complete" for view in views.values())
    summary = f"{len(views)} tasks: {complete} complete, {len(views) - complete} pending"
    created = datetime.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    legend = "".join(
        f'<span class="swatch" style="background:{fill};border-color:{stroke}"></span>{state} '
        for state, (fill, stroke) in COLOURS.items()
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="task graph">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        f"{''.join(edges)}{''.join(nodes)}</svg>"
    )
    return PAGE.format(
        title=html.escape(title),
        summary=html.escape(summary),
        created=html.escape(created),
        legend=legend,
        svg=svg,
    )


def _node(view: TaskView, corner: tuple[float, float]) -> str:
    x, y = corner
    fill, stroke = COLOURS[view.state]
    lines = (
        (_shorten(view.class_name), "name"),
        (view.unique_id[:12] + ("…" if len(view.unique_id) > 12 else ""), "id"),
        (f"{view.state} · {format_seconds(view.processing_time)}", "state"),
    )
    texts = "".join(
        f'<text x="{x + NODE_WIDTH / 2:.1f}" y="{y + 20 + 17 * row:.1f}" class="{kind}">{html.escape(text)}</text>'
        for row, (text, kind) in enumerate(lines)
    )
    details = view.details()
    return (
        f'<g class="node {view.state}" tabindex="0" data-details="{html.escape(json.dumps(details))}">'
        f"<title>{html.escape(details)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>{texts}</g>'
    )


def _edge(route: list[tuple[float, float]]) -> str:
    """Curves between layers, straight down through the placeholders of the layers an edge crosses."""
    (x, y), *rest = route
    parts = [f"M{x:.1f},{y:.1f}"]
    for index, (x2, y2) in enumerate(rest):
        if index % 2:  # through a placeholder: straight down
            parts.append(f"L{x2:.1f},{y2:.1f}")
        else:
            bend = (y2 - y) / 2
            parts.append(f"C{x:.1f},{y + bend:.1f} {x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}")
        x, y = x2, y2
    path = " ".join(parts)
    return f'<path d="{path}" class="edge" marker-end="url(#arrow)"/>'


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _positions(layers: list[list[str]]) -> dict[str, float]:
    """Each task's place in its layer, scaled to 0..1 so layers of different sizes compare."""
    return {t: (i + 0.5) / len(layer) for layer in layers for i, t in enumerate(layer)}


def _barycentre(neighbour_positions: list[float], own: float) -> float:
    return sum(neighbour_positions) / len(neighbour_positions) if neighbour_positions else own


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kart tree: {title}</title>
<style>
  body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fff; }}
  header {{ padding: 12px 24px; border-bottom: 1px solid #ddd; }}
  h1 {{ font-size: 18px; margin: 0 0 4px 0; word-break: break-all; }}
  .meta {{ font-size: 13px; color: #555; }}
  .swatch {{ display: inline-block; width: 12px; height: 12px; border: 2px solid; border-radius: 3px;
             margin: 0 4px -3px 12px; }}
  main {{ display: flex; align-items: flex-start; }}
  .graph {{ overflow: auto; flex: 1 1 auto; }}
  aside {{ flex: 0 0 340px; padding: 12px 16px; border-left: 1px solid #ddd; font-size: 13px; min-height: 200px; }}
  aside pre {{ white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }}
  .edge {{ fill: none; stroke: #555; stroke-width: 1.5; }}
  .node {{ cursor: default; outline: none; }}
  .node:hover rect, .node:focus rect {{ stroke-width: 4; }}
  text {{ text-anchor: middle; font-size: 13px; fill: #111; }}
  text.name {{ font-weight: 600; font-size: 14px; }}
  text.id {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <div class="meta">{summary} · drawn {created} · {legend}</div>
</header>
<main>
  <div class="graph">{svg}</div>
  <aside><pre id="details">Hover over (or tab to) a task: its parameters, outputs and processing time.</pre></aside>
</main>
<script>
  for (const node of document.querySelectorAll("g.node")) {{
    const show = () => {{ document.getElementById("details").textContent = JSON.parse(node.dataset.details); }};
    node.addEventListener("mouseenter", show);
    node.addEventListener("focus", show);
  }}
</script>
</body>
</html>
"""
