"""The dumped type of a task, through direct and intermediate generic bases."""

from __future__ import annotations

from typing import TypeVar

import kartcore
from kartcore.task.type_args import dumped_type, frame_library

T = TypeVar("T")


class FakePolarsFrame:
    """Stands in for polars.DataFrame: only the module name matters."""


FakePolarsFrame.__module__ = "polars.dataframe.frame"
FakePolarsFrame.__name__ = "DataFrame"


class FakeLazyFrame:
    pass


FakeLazyFrame.__module__ = "polars.lazyframe.frame"
FakeLazyFrame.__name__ = "LazyFrame"


class Plain(kartcore.TaskOnKart):
    pass


class Direct(kartcore.TaskOnKart[int]):
    pass


class Base(kartcore.TaskOnKart[T]):
    pass


class ThroughBase(Base[FakePolarsFrame]):
    pass


class Lazy(Base[FakeLazyFrame]):
    pass


class SubclassOfConcrete(ThroughBase):
    pass


def test_dumped_type() -> None:
    assert dumped_type(Plain, kartcore.TaskOnKart) is None
    assert dumped_type(Direct, kartcore.TaskOnKart) is int
    assert dumped_type(Base, kartcore.TaskOnKart) is None
    assert dumped_type(ThroughBase, kartcore.TaskOnKart) is FakePolarsFrame
    assert dumped_type(SubclassOfConcrete, kartcore.TaskOnKart) is FakePolarsFrame


def test_frame_library() -> None:
    assert frame_library(Direct, kartcore.TaskOnKart) is None
    assert frame_library(ThroughBase, kartcore.TaskOnKart) == "polars"
    assert frame_library(Lazy, kartcore.TaskOnKart) == "polars-lazy"
