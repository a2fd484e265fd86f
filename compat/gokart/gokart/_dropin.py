"""What the drop-in shares between its modules: the "not provided" error and the mixed-install check.

Every module of this package re-exports kartcore names under gokart 1.12.2's module layout. A gokart
name that kartcore does not serve is listed in the module's ``NOT_PROVIDED`` and reached through a
module-level ``__getattr__`` that raises :class:`NotProvidedError`, an ``ImportError`` (so that
``from gokart.x import Name`` keeps the message) naming it: never a silent stub.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Mapping
from typing import NoReturn

DISTRIBUTION = "gokart-kartcore-dropin"


class NotProvidedError(ImportError):
    """A gokart 1.12.2 name (or module) the kartcore drop-in does not serve."""


def not_provided(qualified_name: str, hint: str = "") -> NoReturn:
    """Raise the error for ``qualified_name`` (``gokart.module.Name``), with an optional way out."""
    message = f"{qualified_name} is not provided by the kartcore drop-in for gokart (distribution {DISTRIBUTION})"
    raise NotProvidedError(message + (f": {hint}" if hint else ""), name=qualified_name)


def module_getattr(module: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__``: gokart names in ``names`` (name -> hint) raise NotProvidedError."""

    def __getattr__(name: str) -> object:
        if name in names:
            not_provided(f"{module}.{name}", names[name])
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def check_not_mixed(package_init: str) -> None:
    """Refuse to run when a real gokart distribution owns this very ``gokart`` directory.

    pip lets two distributions write the same ``gokart/`` package; the one installed last overwrites
    the other's files and leaves the rest, a silent mix. A real gokart installed elsewhere on
    ``sys.path`` (shadowed by this one) is fine.
    """
    try:
        real = importlib.metadata.distribution("gokart")
    except importlib.metadata.PackageNotFoundError:
        return
    owned = os.path.realpath(str(real.locate_file("gokart/__init__.py")))
    if owned != os.path.realpath(package_init):
        return
    raise ImportError(
        f"gokart {real.version} and the kartcore drop-in ({DISTRIBUTION}) are both installed in "
        f"{os.path.dirname(os.path.dirname(owned))}: they share the 'gokart' package, so its files are now a mix "
        f"of the two. Keep one: `pip uninstall -y gokart {DISTRIBUTION}`, then `pip install gokart==...` "
        f"or `pip install ./compat/gokart` (from a kartcore checkout)."
    )
