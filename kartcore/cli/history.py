"""``kart history pkg.Task``: every cached run of a task class in the workspace, as a table."""

from __future__ import annotations

import click

from kartcore.cli.tasks import inside_project, task_class
from kartcore.inspection.history import FINISHED, UNTRUSTED, RunRecord, runs, workspace_of
from kartcore.inspection.view import format_seconds
from kartcore.io.storage import display_path, is_remote


@click.command(
    name="history",
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Every cached run of a task: parameters, time, date.",
)
@click.argument("task_name", metavar="PKG.TASK")
@click.option(
    "--workspace",
    default=None,
    metavar="DIR",
    help="Workspace to read (relative to the project root). Default: the task's workspace_directory from conf.",
)
def command(task_name: str, workspace: str | None) -> None:
    """List every run of PKG.TASK recorded in the workspace: unique id, date, processing time, parameters.

    Read from the JSON run records (<workspace>/log/run_record/<Class>_<unique id>.json), which need no
    unpickling; runs written by gokart or an older kartcore from log/task_params/<Class>_<unique id>.pkl
    and the records next to it, under refuse_foreign_pickles (a refused one is shown as an untrusted
    record). A run that failed or is still running is shown as not finished; `cached` says whether that
    run's output is still there. The workspace may be in object storage (--workspace s3://bucket/prefix).
    From Python: kartcore.history.task_history(...) (kartcore.inspection.history).
    """
    with inside_project() as project:
        cls = task_class(task_name, project)
        directory = workspace if workspace is not None else workspace_of(cls)
        found = runs(cls, directory)
        # the message appends "/": a remote workspace (s3://b/prefix/) loses its own trailing one instead
        shown = directory.rstrip("/") if is_remote(directory) else display_path(directory)
        if not found:
            looked = f"log/run_record/{cls.__name__}_*.json and log/task_params/{cls.__name__}_*.pkl"
            click.echo(f"no runs of {task_name} recorded in {shown}/ (looked for {looked})")
            return
        click.echo(f"{len(found)} run{'s' if len(found) != 1 else ''} of {task_name} recorded in {shown}/")
        click.echo(format_table(found))
        refused = [run for run in found if run.status == UNTRUSTED]
        if refused:
            plural = "s" if len(refused) != 1 else ""
            click.echo(f"{len(refused)} untrusted record{plural} not read: {refused[0].problem}")


def format_table(found: list[RunRecord]) -> str:
    """Runs as aligned columns, oldest first; parameters last, as name=value.

    A run that did not finish shows "not finished" and no time (never its start as a finish time);
    a refused record says "untrusted record" where its unread parts would be.
    """
    header = ("unique id", "finished", "time", "cached", "parameters")
    rows = [header]
    for run in found:
        when = run.finished.replace(microsecond=0).isoformat(sep=" ") if run.finished else "not finished"
        seconds = format_seconds(run.processing_time) if run.status == FINISHED else "-"
        cached = "?" if run.status == UNTRUSTED and not run.outputs else ("yes" if run.cached else "no")
        params = ", ".join(f"{name}={value}" for name, value in run.params.items())
        if run.status == UNTRUSTED:
            params = f"{params}  (untrusted record: not read)" if params else "(untrusted record: not read)"
        rows.append((run.unique_id, when, seconds, cached, params or "(none)"))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]) for row in rows
    )
