"""``kart show pkg.Task [--param=...]``: where one task's output and run records are, and what is in the output."""

from __future__ import annotations

import os
import reprlib
import textwrap
from typing import Any

import click
import luigi
from luigi.task import flatten

from kartcore.cli.tasks import TASK_COMMAND_SETTINGS, resolved_task, task_arguments
from kartcore.errors import KartError
from kartcore.inspection.history import NOT_FINISHED, UNTRUSTED, read_run
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.view import describe, format_seconds
from kartcore.inspection.workspace import RECORD_FILES, record_paths
from kartcore.io import Target
from kartcore.io.storage import display_path, storage_for
from kartcore.task import TaskOnKart
from kartcore.task.integrity import trust_of

PREVIEW_LINES = 20
PREVIEW_WIDTH = 100
#: The most a preview reads of an output (see Target.preview): a 300 MB output is not loaded to show 5 rows.
PREVIEW_BYTES = 8 * 1024 * 1024


@click.command(
    name="show", context_settings=TASK_COMMAND_SETTINGS, short_help="A task's output and run records, with a preview."
)
@click.option("--rows", default=5, show_default=True, help="Rows of a data frame (items of a list) to preview.")
@click.option("--preview/--no-preview", default=True, show_default=True, help="Load the output to preview it.")
@task_arguments
def command(task_name: str, task_args: tuple[str, ...], rows: int, preview: bool) -> None:
    """Show where PKG.TASK's output and run records are, whether they exist, and a preview of the output.

    The task is the one `python main.py PKG.TASK --PARAM=VALUE` would run. Nothing is run or written.
    """
    with resolved_task(task_name, task_args) as resolved:
        task = resolved.task
        dag = walk_dag(task)
        views = describe(dag)
        view = views[task.task_id]
        click.echo(f"task        {view.label}")
        click.echo(f"state       {view.state}")
        click.echo(f"project     {resolved.project.root}  (paths below are relative to it)")
        click.echo("parameters  " + (_join(view.params) or "(none)"))
        required = [views[task_id] for task_id in dag.requires[task.task_id]]
        click.echo("requires    " + (", ".join(f"{v.label} ({v.state})" for v in required) or "(nothing)"))
        click.echo("outputs" + ("" if view.outputs else "     (none: this task only gathers its requirements)"))
        for path in view.outputs:
            click.echo(f"  {path}  {_file_state(path)}")
        if isinstance(task, TaskOnKart):
            click.echo("run records")
            for (kind, _), path in zip(RECORD_FILES, record_paths(task), strict=True):
                click.echo(f"  {kind:<16} {display_path(path)}  {_file_state(path)}")
            last_run, seconds = _last_run(task)
            click.echo(f"last run         {last_run}")
            click.echo(f"processing time  {seconds}")
        if preview:
            for target in _previewable(task):
                click.echo(f"preview of {display_path(target.path())}")
                click.echo(textwrap.indent(_preview(target, rows), "  "))


def _last_run(task: TaskOnKart[Any]) -> tuple[str, str]:
    """How the last run of these parameters ended, and its processing time, from its records.

    Read as ``kart history`` reads them: the JSON run record, else the ``.pkl`` records under the
    task's trust settings. A run without a task_log record failed or is still running: it gets no
    finish time and no processing time.
    """
    run = read_run(task.workspace_directory, type(task).__name__, task.make_unique_id(), trust_of(task))
    if run is None:
        return "none recorded", "unknown"
    if run.status == UNTRUSTED:
        return f"untrusted record, not read: {run.problem}", "unknown"
    if run.status == NOT_FINISHED:
        started = run.started.replace(microsecond=0).isoformat(sep=" ")
        return f"not finished (started {started}; it failed or is still running)", "-"
    finished = run.finished.replace(microsecond=0).isoformat(sep=" ") if run.finished else "at an unknown time"
    return f"finished {finished}", format_seconds(run.processing_time)


def _previewable(task: luigi.Task) -> list[Target]:
    if isinstance(task, TaskOnKart) and task.is_endpoint():
        return []
    return [target for target in flatten(task.output()) if isinstance(target, Target)]


def _preview(target: Target, rows: int) -> str:
    """A preview that reads at most about PREVIEW_BYTES of the output, whatever its size and format."""
    if not target.exists():
        return "(no output yet: the task has not run with these parameters)"
    try:
        found = target.preview(rows, PREVIEW_BYTES)
    except KartError as exc:
        return f"(cannot load it: {exc})"
    size = _size(storage_for(target.path()).size(target.path()))
    if found is None:
        kind = os.path.splitext(target.path())[1] or "such"
        return (
            f"(not previewed: the file holds {size}, and a {kind} file cannot be shown from its first "
            f"{_size(PREVIEW_BYTES)}; load it in Python to look at it)"
        )
    text = preview_text(found.value, rows)
    return f"{text}\n(the beginning of a {size} file)" if found.partial else text


def preview_text(obj: Any, rows: int = 5) -> str:
    """A short, bounded text view of any object: the head of a frame, or a truncated repr."""
    head = getattr(obj, "head", None)
    shape = getattr(obj, "shape", None)
    if callable(head) and shape is not None:
        shown = head(rows)
        text = shown.to_string() if hasattr(shown, "to_string") else str(shown)
        return f"{type(obj).__module__.split('.')[0]} {type(obj).__name__}, shape {shape}\n{_bounded(text)}"
    short = reprlib.Repr()
    short.maxlist = short.maxtuple = short.maxset = short.maxdict = max(rows, 1)
    short.maxstring = short.maxother = 400
    short.maxlevel = 4
    text = "\n".join(textwrap.wrap(short.repr(obj), PREVIEW_WIDTH, break_long_words=True)) or repr(obj)[:PREVIEW_WIDTH]
    return f"{type(obj).__name__}: {_bounded(text)}" if "\n" not in text else f"{type(obj).__name__}:\n{_bounded(text)}"


def _bounded(text: str) -> str:
    lines = text.splitlines()
    if len(lines) <= PREVIEW_LINES:
        return text
    return "\n".join([*lines[:PREVIEW_LINES], f"... ({len(lines) - PREVIEW_LINES} more lines)"])


def _file_state(path: str) -> str:
    """``exists, <size>, <time>`` or ``missing``, through the storage layer (a local file or an object).

    A store that cannot be reached raises StorageError rather than showing "missing".
    """
    storage = storage_for(path)
    try:
        size, modified = storage.size(path), storage.modified(path)
    except OSError:
        return "missing"
    return f"exists, {_size(size)}, {modified.replace(microsecond=0).isoformat(sep=' ')}"


def _size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - the loop always returns


def _join(params: dict[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in params.items())
