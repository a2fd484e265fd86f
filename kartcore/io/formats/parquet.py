"""``.parquet``: data frames in Apache Parquet, with pandas' and pyarrow's defaults.

pandas frames are written with ``to_parquet`` as pandas writes them (pyarrow, snappy, the index
kept the way pandas keeps it: a RangeIndex as metadata, any other index as columns), so loading
returns an equal frame. gokart instead drops the index and gzips (several times slower to write);
files written by either are read by both. polars frames use ``write_parquet``/``read_parquet``.
Column names must be strings (the offending ones are named). Reading and writing go through the
file object (pyarrow is as fast on it as on a path).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from kartcore.io.formats.frames import FrameFormat, import_optional, import_pandas, import_polars


class ParquetFormat(FrameFormat):
    """A pandas or polars DataFrame as Parquet."""

    extension = ".parquet"
    needs_string_columns = True

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        import_optional("pyarrow", self.extension)
        obj.to_parquet(file, engine="pyarrow")

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        import_optional("pyarrow", self.extension)
        return pd.read_parquet(file, engine="pyarrow")

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        obj.write_parquet(file)

    def load_polars(self, file: BinaryIO) -> Any:
        return import_polars(self.extension).read_parquet(file)

    def scan_polars(self, path: str) -> Any:
        return import_polars(self.extension).scan_parquet(path)
