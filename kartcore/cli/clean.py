"""``kart clean pkg.Task [--param=...]``: remove the workspace files the task's DAG does not need (dry run first)."""

from __future__ import annotations

import os

import click

from kartcore.cli.tasks import TASK_COMMAND_SETTINGS, resolved_task, task_arguments
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.workspace import WorkspaceReport, inspect, remove_unneeded
from kartcore.io.storage import is_remote


@click.command(
    name="clean",
    context_settings=TASK_COMMAND_SETTINGS,
    short_help="Remove workspace files a task's DAG does not need.",
)
@click.option(
    "--dry-run/--no-dry-run",
    default=True,
    show_default=True,
    help="List what would be removed (the default) or remove it.",
)
@task_arguments
def command(task_name: str, task_args: tuple[str, ...], dry_run: bool) -> None:
    """Remove the files in PKG.TASK's workspaces that no task of its DAG needs.

    Kept: each task's outputs and its run records under log/ (every kind, checksums included).
    Removed: outputs of other parameters or of tasks no longer in the pipeline, their records, and
    .kart-tmp- leftovers of killed writes; the temp files of a build that may still be running are
    left alone. The DAG is the one `python main.py PKG.TASK --PARAM=VALUE` would run; outputs of other
    pipelines sharing the workspace go too, so clean with the task at the end of the pipeline.
    Requirements that run() yields (dynamic dependencies) are only known while running, so their files
    count as not needed. A workspace in an object store (s3://bucket/prefix) is cleaned the same way;
    only objects under its prefix are touched. Refused (exit 2, nothing removed): a workspace that is a
    root directory, contains your home directory, the Python installation or the project (symlinks
    resolved), or holds files but no kartcore run records (log/task_params/). Nothing is removed
    without --no-dry-run.
    """
    with resolved_task(task_name, task_args) as resolved:
        report = inspect(walk_dag(resolved.task), protected=resolved.project.root)
        root = str(resolved.project.root)
        if not report.unneeded:
            click.echo(f"nothing to clean: all {len(report.kept)} files in {_places(report, root)} are needed")
        elif dry_run:
            size = _size(report.unneeded_bytes())
            click.echo(f"would remove {len(report.unneeded)} files ({size}) from {_places(report, root)}:")
            for path in report.unneeded:
                click.echo(f"  {_shown(path, root)}")
            click.echo(f"keeping {len(report.kept)} files. Run again with --no-dry-run to remove them.")
        else:
            size = _size(report.unneeded_bytes())
            removed = remove_unneeded(report)
            for path in removed:
                click.echo(f"removed {_shown(path, root)}")
            click.echo(f"removed {len(removed)} files ({size}); kept {len(report.kept)}")
        if report.in_use:
            click.echo(f"left {len(report.in_use)} temp files alone: a build that may still be running is writing them")
            for path in report.in_use:
                click.echo(f"  {_shown(path, root)}")


def _places(report: WorkspaceReport, root: str) -> str:
    return ", ".join(_shown(workspace, root) + "/" for workspace in report.workspaces) or "(no workspace)"


def _shown(path: str, root: str) -> str:
    """A local path relative to the project; a remote one whole (``relpath`` would mangle ``s3://``)."""
    return path if is_remote(path) else os.path.relpath(path, root)


def _size(size: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
