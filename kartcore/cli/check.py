"""``kart check``: config keys and sections the project's tasks would silently ignore (exit 1 when any)."""

from __future__ import annotations

import sys

import click

from kartcore.cli.tasks import inside_project
from kartcore.inspection.check import check_project


@click.command(
    name="check",
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Config keys and sections that match no task or parameter.",
)
def command() -> None:
    """Check conf/param.ini and the config files main.py adds (add_config) against the project's tasks.

    Lists every key that matches no parameter of the task its section names, every section that names
    no task (luigi's own sections are known), and typos in [TaskOnKart], each with the closest match
    and the line. Exit 0 when there is none, 1 when there is any, 2 outside a project.
    """
    with inside_project() as project:
        files, findings = check_project(project.root)
    shown = ", ".join(path.relative_to(project.root).as_posix() for path in files) or "no config file"
    for finding in findings:
        click.echo(str(finding))
    if findings:
        plural = "s" if len(findings) != 1 else ""
        click.echo(f"{len(findings)} problem{plural} in {shown}")
        sys.exit(1)
    click.echo(f"{shown}: every section names a task and every key one of its parameters")
