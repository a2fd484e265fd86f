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

#: Bytes read at a time from a column chunk when previewing (instead of whole chunks).
PREVIEW_READ_SIZE = 64 * 1024


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
        """The whole frame if it unpacks to at most ``budget`` bytes, else its first rows.

        Sizes come from the footer (see :func:`_loaded_size`), so a small file of very compressible
        columns is not unpacked whole. The first rows are decoded page by page (buffered column
        reads), so only the first pages of the first row group are read.
        """
        import_optional("pyarrow", self.extension)
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(file, buffer_size=PREVIEW_READ_SIZE, pre_buffer=False)
        if _loaded_size(parquet) <= budget:
            file.seek(0)
            return Preview(self.load(file))
        batch = next(parquet.iter_batches(batch_size=max(rows, 1), row_groups=[0], use_threads=False))
        if self.frame_library == "pandas":
            return Preview(batch.to_pandas(), partial=True)
        return Preview(import_polars(self.extension).from_arrow(batch), partial=True)

    def scan_polars(self, path: str) -> Any:
        return import_polars(self.extension).scan_parquet(path)


def _loaded_size(parquet: Any) -> int:
    """About how many bytes the file takes once loaded: its encoded size, or rows times the fixed column widths.

    The footer's sizes are those of the *encoded* pages: a dictionary- or run-length-encoded column
    of three million zeros is a few bytes there and 24 MB in memory.
    """
    metadata = parquet.metadata
    encoded = sum(metadata.row_group(index).total_byte_size for index in range(metadata.num_row_groups))
    width = 0
    for column in parquet.schema_arrow:
        try:
            width += max(column.type.bit_width // 8, 1)
        except ValueError:  # variable width (strings, lists): at least an 8-byte offset or pointer per row
            width += 8
    return max(encoded, metadata.num_rows * width)
