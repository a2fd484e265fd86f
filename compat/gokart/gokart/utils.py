"""``gokart.utils``: ``add_config`` (kartcore's), ``flatten`` (luigi's), and gokart's two structure helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from luigi.task import flatten

from gokart._dropin import module_getattr
from kartcore import TaskOnKart, add_config
from kartcore.task.type_args import frame_library

__all__ = ["FlattenableItems", "add_config", "flatten", "get_dataframe_type_from_task", "map_flattenable_items"]

T = TypeVar("T")
#: ``T`` or lists, tuples and str-keyed dicts of them, nested (``FlattenableItems[int]``).
FlattenableItems: TypeAlias = T | list[Any] | tuple[Any, ...] | dict[str, Any]


def map_flattenable_items(func: Callable[[Any], Any], items: Any) -> Any:
    """``func`` applied to every leaf of nested dicts, lists and tuples, keeping their shape (a str is a leaf)."""
    if isinstance(items, dict):
        return {key: map_flattenable_items(func, value) for key, value in items.items()}
    if isinstance(items, (list, tuple)):
        return type(items)(map_flattenable_items(func, item) for item in items)
    return func(items)


def get_dataframe_type_from_task(task: Any) -> str:
    """``'polars'``/``'polars-lazy'`` for a ``TaskOnKart[pl.DataFrame/LazyFrame]`` (class or instance), else pandas."""
    task_class = task if isinstance(task, type) else type(task)
    if not issubclass(task_class, TaskOnKart):
        return "pandas"
    return frame_library(task_class, TaskOnKart) or "pandas"


__getattr__ = module_getattr(
    "gokart.utils",
    {"load_dill_with_pandas_backward_compatibility": "kartcore's .pkl format reads gokart's dill pickles"},
)
