"""The ``kart`` command: scaffold, inspect and clean pipelines.

Each subcommand lives in its own module and registers itself on :data:`main`; importing
``kartcore`` never imports this package (or click).
"""

from kartcore.cli.app import main

__all__ = ["main"]
