"""``CsvFormat(encoding=...)``: CSV in an encoding other than UTF-8 (e.g. cp932 for Excel in Japanese locales)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import Target
from kartcore.io.formats.csv import CsvFormat, TsvFormat

pl = pytest.importorskip("polars")

FRAME = pd.DataFrame({"名前": ["あ", "い"], "値": [1, 2]})


@pytest.mark.parametrize("format_class", [CsvFormat, TsvFormat])
def test_pandas_frames_are_written_and_read_in_the_encoding(tmp_path: Path, format_class: type[CsvFormat]) -> None:
    path = tmp_path / "frame.csv"
    target = Target(str(path), format_class(encoding="cp932"))
    target.dump(FRAME)
    pd.testing.assert_frame_equal(pd.read_csv(path, encoding="cp932", sep=format_class.separator), FRAME)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    pd.testing.assert_frame_equal(target.load(), FRAME)


def test_polars_frames_are_written_and_read_in_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    frame = pl.from_pandas(FRAME)
    target = Target(str(path), CsvFormat(encoding="cp932").with_frame_library("polars"))
    target.dump(frame)
    assert path.read_bytes().decode("cp932").splitlines()[0] == "名前,値"
    assert target.load().equals(frame)
    lazy = Target(str(path), CsvFormat(encoding="cp932").with_frame_library("polars-lazy")).load()
    assert lazy.collect().equals(frame)


def test_utf8_stays_the_default() -> None:
    assert CsvFormat().encoding == "utf-8" and CsvFormat(encoding="UTF8").encoding == "utf-8"


def test_an_unknown_encoding_is_refused_at_once() -> None:
    with pytest.raises(LookupError, match="no-such-codec"):
        CsvFormat(encoding="no-such-codec")


def test_a_value_the_encoding_cannot_hold_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    with pytest.raises(FormatError, match=r"frame\.csv"):
        Target(str(path), CsvFormat(encoding="ascii")).dump(FRAME)
    assert list(tmp_path.iterdir()) == []
