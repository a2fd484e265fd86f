"""``gokart.run``: the command line entry point, kartcore's (the package attribute ``gokart.run`` is the function)."""

from kartcore import run

__all__ = ["run"]
