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


def test_a_polars_task_reads_its_csv_back_as_polars() -> None:
    import polars as pl

    class PolarsScores(kartcore.TaskOnKart[pl.DataFrame]):
        def output(self):
            return self.make_target("scores.csv")

        def run(self) -> None:
            self.dump(pl.DataFrame({"name": ["a", "ü"], "score": [1, 2]}))

    class PandasReader(kartcore.TaskOnKart):
        def requires(self):
            return PolarsScores()

        def output(self):
            return self.make_target("copy.csv")

        def run(self) -> None:
            self.dump(self.load())

    frame = kartcore.build(PolarsScores())
    assert isinstance(frame, pl.DataFrame) and frame["name"].to_list() == ["a", "ü"]
    copied = kartcore.build(PandasReader())
    assert type(copied).__module__.startswith("pandas") and list(copied["score"]) == [1, 2]
