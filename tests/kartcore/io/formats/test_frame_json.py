"""``FrameJsonFormat(orient)``: frames as the JSON gokart writes, read back as frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import Target
from kartcore.io.formats.frame_json import FrameJsonFormat

pl = pytest.importorskip("polars")

FRAME = pd.DataFrame({"A": [1, 2, 3], "B": [4, 5, 6]})


@pytest.mark.parametrize(
    ("orient", "text"),
    [
        (None, '{"A":{"0":1,"1":2,"2":3},"B":{"0":4,"1":5,"2":6}}'),
        ("records", '{"A":1,"B":4}\n{"A":2,"B":5}\n{"A":3,"B":6}\n'),
        ("split", '{"columns":["A","B"],"index":[0,1,2],"data":[[1,4],[2,5],[3,6]]}'),
    ],
)
def test_a_frame_is_written_in_the_orient_and_read_back(tmp_path: Path, orient: str | None, text: str) -> None:
    path = tmp_path / "frame.json"
    target = Target(str(path), FrameJsonFormat(orient))
    target.dump(FRAME)
    assert path.read_text() == text
    pd.testing.assert_frame_equal(target.load(), FRAME)


def test_a_dict_is_taken_as_columns(tmp_path: Path) -> None:
    target = Target(str(tmp_path / "dict.json"), FrameJsonFormat())
    target.dump({"A": [1, 2, 3], "B": [4, 5, 6]})
    pd.testing.assert_frame_equal(target.load(), FRAME)


def test_an_empty_records_file_loads_as_an_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    target = Target(str(path), FrameJsonFormat("records"))
    target.dump({})
    assert path.read_text() == "\n"
    assert target.load().empty


@pytest.mark.parametrize("orient", [None, "records"])
def test_polars_frames_round_trip(tmp_path: Path, orient: str | None) -> None:
    frame = pl.from_pandas(FRAME)
    path = str(tmp_path / "frame.json")
    Target(path, FrameJsonFormat(orient)).dump(frame)
    assert Target(path, FrameJsonFormat(orient).with_frame_library("polars")).load().equals(frame)
    lazy = Target(path, FrameJsonFormat(orient).with_frame_library("polars-lazy")).load()
    assert lazy.collect().equals(frame)


def test_an_unknown_orient_is_refused() -> None:
    with pytest.raises(FormatError, match="orient must be one of"):
        FrameJsonFormat("diagonal")


def test_what_is_not_a_frame_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="expects a pandas or polars DataFrame"):
        Target(str(tmp_path / "list.json"), FrameJsonFormat()).dump([1, 2])
    assert list(tmp_path.iterdir()) == []
