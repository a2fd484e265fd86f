"""``kart plan pkg.Task [--param=...]``: what the next run will do to each task of the DAG, and why."""

from __future__ import annotations

import click

from kartcore.cli.tasks import TASK_COMMAND_SETTINGS, resolved_task, task_arguments
from kartcore.inspection.plan import make_plan
from kartcore.inspection.plan_render import FORMATS, render_plan


@click.command(
    name="plan",
    context_settings=TASK_COMMAND_SETTINGS,
    short_help="What the next run does to each task: run, stale, cached or unknown.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: one line per task; markdown: a table (e.g. for $GITHUB_STEP_SUMMARY); json: for tools.",
)
@task_arguments
def command(task_name: str, task_args: tuple[str, ...], fmt: str) -> None:
    """Show what `python main.py PKG.TASK --PARAM=VALUE` would do to each task of its DAG, and why.

    \b
    run      it runs: no output, rerun=True, or an upstream runs
    stale    its output exists but its code changed or an input was rewritten since it ran (or an
             upstream is stale); it runs again only with --rerun-stale (or [TaskOnKart] rerun_stale)
    cached   its output is used as it is
    unknown  its output exists, but there is no fingerprint to compare (a run by gokart or an older
             kartcore, or a class whose source cannot be read)

    Nothing is run or written. Pass --rerun-stale to see the plan of a run with it.

    \b
    Example: kart plan my_pkg.Evaluate --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    with resolved_task(task_name, task_args) as resolved:
        text = render_plan(make_plan(resolved.task), fmt)
    click.echo(text, nl=False)
