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

from kartcore.io.formats.base import Preview
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

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The whole frame if it unpacks to at most ``budget`` bytes, else the first rows of the first row group.

        Sizes come from the footer, so a small file of very compressible columns is not unpacked
        whole; a first row group larger than ``budget`` means no preview at all.
        """
        import_optional("pyarrow", self.extension)
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(file)
        metadata = parquet.metadata
        sizes = [metadata.row_group(index).total_byte_size for index in range(metadata.num_row_groups)]
        if sum(sizes) <= budget:
            file.seek(0)
            return Preview(self.load(file))
        if sizes[0] > budget:
            return None
        table = parquet.read_row_group(0).slice(0, max(rows, 1))
        if self.frame_library == "pandas":
            return Preview(table.to_pandas(), partial=True)
        return Preview(import_polars(self.extension).from_arrow(table), partial=True)

    def scan_polars(self, path: str) -> Any:
        return import_polars(self.extension).scan_parquet(path)
