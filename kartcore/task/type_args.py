"""What a task dumps, read from its generic argument: ``class Scores(TaskOnKart[pl.DataFrame])``.

The argument may come through intermediate generic bases (``class Base(TaskOnKart[T])`` then
``class Scores(Base[pl.DataFrame])``), so type variables are substituted along the way. Nothing is
imported: the answer is the type object the class statement already holds.
"""

from __future__ import annotations

import functools
import typing
from typing import Any


@functools.cache
def dumped_type(task_class: type, root: type) -> Any:
    """The type argument given to ``root`` (TaskOnKart) for ``task_class``, or None when unspecified."""
    return _resolve(task_class, root, {})


def frame_library(task_class: type, root: type) -> str | None:
    """``"polars"`` or ``"polars-lazy"`` when the task dumps polars frames, else None (pandas or other)."""
    value = dumped_type(task_class, root)
    module = getattr(value, "__module__", "") or ""
    if not module.startswith("polars"):
        return None
    return "polars-lazy" if getattr(value, "__name__", "") == "LazyFrame" else "polars"


def _resolve(cls: type, root: type, bindings: dict[Any, Any]) -> Any:
    for base in getattr(cls, "__orig_bases__", ()):
        origin = typing.get_origin(base) or base
        if not isinstance(origin, type) or not issubclass(origin, root):
            continue
        arguments = [bindings.get(argument, argument) for argument in typing.get_args(base)]
        if origin is root:
            return None if not arguments or isinstance(arguments[0], typing.TypeVar) else arguments[0]
        parameters = getattr(origin, "__parameters__", ())
        found = _resolve(origin, root, dict(zip(parameters, arguments, strict=False)))
        if found is not None:
            return found
    return None
