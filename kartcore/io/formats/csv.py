"""``.csv`` and ``.tsv``: data frames as delimited UTF-8 text, without the index (as gokart).

A pandas DataFrame or Series is written with ``to_csv(index=False)`` and read with ``read_csv``; a
polars DataFrame (or LazyFrame) with ``write_csv``/``read_csv``. An empty file loads as an empty
frame. pandas reads through the path when the file is a plain local file: its C parser is about
twice as fast on a path as on a Python file object (polars is as fast on either).
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, ClassVar

from kartcore.io.formats.base import local_path
from kartcore.io.formats.frames import FrameFormat, import_pandas, import_polars


class CsvFormat(FrameFormat):
    """Comma-separated values from a pandas DataFrame or Series, or a polars DataFrame."""

    separator: ClassVar[str] = ","
    extension = ".csv"
    expects = "a pandas DataFrame or Series, or a polars DataFrame"
    accepts_series = True
    preview_header_lines = 1

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        obj.to_csv(file, sep=self.separator, index=False, header=True, encoding="utf-8", lineterminator="\n")

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        try:
            return pd.read_csv(local_path(file) or file, sep=self.separator, encoding="utf-8")
        except pd.errors.EmptyDataError:
            return pd.DataFrame()

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        obj.write_csv(file, separator=self.separator, include_header=True)

    def load_polars(self, file: BinaryIO) -> Any:
        pl = import_polars(self.extension)
        try:
            return pl.read_csv(file, separator=self.separator)
        except pl.exceptions.NoDataError:
            return pl.DataFrame()

    def scan_polars(self, path: str) -> Any:
        pl = import_polars(self.extension)
        if os.path.getsize(path) == 0:
            return pl.LazyFrame()
        return pl.scan_csv(path, separator=self.separator)


class TsvFormat(CsvFormat):
    """Tab-separated values from a pandas DataFrame or Series, or a polars DataFrame."""

    separator = "\t"
    extension = ".tsv"
