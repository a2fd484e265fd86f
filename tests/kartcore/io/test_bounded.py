"""BoundedReader: a preview's file hands out at most its limit, and says so instead of a short read."""

from __future__ import annotations

import io

import pytest

from kartcore.io.bounded import BoundedReader, BudgetExceeded


def test_reads_up_to_the_limit_then_refuses() -> None:
    reader = BoundedReader(io.BytesIO(b"x" * 100), limit=10)
    assert reader.read(4) == b"xxxx"
    assert reader.read(6) == b"xxxxxx"
    with pytest.raises(BudgetExceeded):
        reader.read(1)
    assert reader.exceeded and reader.bytes_read == 10


def test_a_read_across_the_limit_raises_rather_than_coming_back_short() -> None:
    reader = BoundedReader(io.BytesIO(b"x" * 100), limit=10)
    reader.read(8)
    with pytest.raises(BudgetExceeded):
        reader.read(5)
    assert reader.exceeded


def test_the_end_of_a_small_file_is_not_an_excess() -> None:
    reader = BoundedReader(io.BytesIO(b"abc"), limit=3)
    assert reader.read() == b"abc"
    assert reader.read(10) == b""
    assert not reader.exceeded


def test_seeking_is_free() -> None:
    reader = BoundedReader(io.BytesIO(bytes(range(100))), limit=4)
    reader.seek(96)
    assert reader.read(4) == bytes(range(96, 100))
    assert reader.tell() == 100
    reader.seek(-50, io.SEEK_END)
    with pytest.raises(BudgetExceeded):
        reader.read(1)
