"""Where a task class comes from: for messages, and for hashing its own code on request."""

from __future__ import annotations

import inspect


def defined_in(cls: type) -> str:
    """`` (class X is defined in /path/x.py)``, or nothing when the source is unknown (e.g. a REPL)."""
    try:
        return f" (class {cls.__name__} is defined in {inspect.getsourcefile(cls)})"
    except (OSError, TypeError):
        return ""


def own_code(cls: type, stop_at: type) -> str:
    """The sorted sources of the methods ``cls`` and its bases define below ``stop_at``."""
    sources = []
    for klass in cls.__mro__:
        if klass is stop_at or not issubclass(klass, stop_at):
            break
        for member in vars(klass).values():
            if inspect.isfunction(member):
                try:
                    sources.append(inspect.getsource(member))
                except (OSError, TypeError):
                    continue
    return "".join(sorted(sources))
