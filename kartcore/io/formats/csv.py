"""``.csv`` and ``.tsv``: data frames as delimited text (UTF-8 unless told), without the index (as gokart).

A pandas DataFrame or Series is written with ``to_csv(index=False)`` and read with ``read_csv``; a
polars DataFrame (or LazyFrame) with ``write_csv``/``read_csv``. An empty file loads as an empty
frame. pandas reads through the path when the file is a plain local file: its C parser is about
twice as fast on a path as on a Python file object (polars is as fast on either).

``CsvFormat(encoding="cp932")`` (``processor=`` of ``make_target``) writes and reads another encoding,
for files exchanged with tools that expect it (Excel in Japanese locales reads cp932).
"""

from __future__ import annotations

import codecs
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

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = codecs.lookup(encoding).name  # an unknown encoding fails here, not at the first dump

    @property
    def _utf8(self) -> bool:
        return self.encoding == "utf-8"

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        obj.to_csv(file, sep=self.separator, index=False, header=True, encoding=self.encoding, lineterminator="\n")

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        try:
            return pd.read_csv(local_path(file) or file, sep=self.separator, encoding=self.encoding)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        if self._utf8:
            obj.write_csv(file, separator=self.separator, include_header=True)
        else:  # polars writes UTF-8 only
            file.write(obj.write_csv(separator=self.separator, include_header=True).encode(self.encoding))

    def load_polars(self, file: BinaryIO) -> Any:
        pl = import_polars(self.extension)
        source: Any = file if self._utf8 else file.read().decode(self.encoding).encode("utf-8")
        try:
            return pl.read_csv(source, separator=self.separator)
        except pl.exceptions.NoDataError:
            return pl.DataFrame()

    def scan_polars(self, path: str) -> Any:
        pl = import_polars(self.extension)
        if os.path.getsize(path) == 0:
            return pl.LazyFrame()
        if not self._utf8:
            with open(path, "rb") as file:
                return self.load_polars(file).lazy()
        return pl.scan_csv(path, separator=self.separator)


class TsvFormat(CsvFormat):
    """Tab-separated values from a pandas DataFrame or Series, or a polars DataFrame."""

    separator = "\t"
    extension = ".tsv"
