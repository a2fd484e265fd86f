"""``kart tree pkg.Task [--param=...]``: the task's DAG with each task's state, unique id and output path."""

from __future__ import annotations

from pathlib import Path

import click

from kartcore.cli.tasks import TASK_COMMAND_SETTINGS, resolved_task, task_arguments
from kartcore.inspection.render import FORMATS, render
from kartcore.inspection.tree import walk_dag


@click.command(
    name="tree", context_settings=TASK_COMMAND_SETTINGS, short_help="A task's DAG: states, unique ids, output paths."
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: an indented tree; mermaid or dot: a graph to paste or render; html: one self-contained page.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (relative to where kart runs) instead of standard output.",
)
@task_arguments
def command(task_name: str, task_args: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Show the DAG of PKG.TASK as `python main.py PKG.TASK --PARAM=VALUE` would run it.

    Each task is shown with its state (complete: its outputs exist; pending: it would run), its
    unique id and its output path. Nothing is run.

    \b
    Example: kart tree my_pkg.Evaluate --format html -o dag.html
    """
    destination = output.resolve() if output is not None else None  # before kart moves to the project root
    with resolved_task(task_name, task_args) as resolved:
        text = render(walk_dag(resolved.task), fmt)
    if destination is None:
        click.echo(text, nl=False)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(text, encoding="utf-8")
    click.echo(f"wrote the {fmt} DAG of {task_name} to {destination}", err=True)
