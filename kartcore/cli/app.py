"""The click group behind ``kart``, and the one place that turns kartcore errors into exit codes."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from kartcore.errors import KartError

#: Subcommand modules, each defining a click command named like the module (``kart tree`` → tree.py).
COMMAND_MODULES = ("new", "add", "tree", "show", "history", "clean", "plan", "check")


class KartGroup(click.Group):
    """Loads subcommands on first use (so ``kart --help`` stays fast) and reports KartError cleanly."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMAND_MODULES if importlib.util.find_spec(f"kartcore.cli.{name}"))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"kartcore.cli.{cmd_name}")
        return getattr(module, "command", None)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KartError as exc:
            click.echo(f"kart: {exc}", err=True)
            sys.exit(2)


@click.group(cls=KartGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gokart-core", prog_name="kart")
def main() -> None:
    """kart: create kartcore pipeline projects, add tasks, and look at what a pipeline did."""
