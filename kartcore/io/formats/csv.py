"""``.csv`` and ``.tsv``: pandas frames as delimited text, without the index (as gokart)."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from kartcore.io.formats.base import TextFileFormat
from kartcore.io.formats.frames import import_pandas, is_pandas_frame_or_series


class CsvFormat(TextFileFormat):
    """Comma-separated values from a pandas DataFrame or Series."""

    separator: ClassVar[str] = ","
    extension: ClassVar[str] = ".csv"
    expects = "a pandas DataFrame or Series"

    def check(self, obj: Any) -> None:
        if not is_pandas_frame_or_series(obj):
            raise self.refuse(obj)

    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        obj.to_csv(file, sep=self.separator, index=False, header=True)

    def load_text(self, file: io.TextIOBase) -> Any:
        pd = import_pandas(self.extension)
        try:
            return pd.read_csv(file, sep=self.separator)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()


class TsvFormat(CsvFormat):
    """Tab-separated values from a pandas DataFrame or Series."""

    separator = "\t"
    extension = ".tsv"
