"""``.feather``: data frames in Feather v2 (the Arrow IPC file format), index included.

pandas frames are written with pandas' own ``to_feather``, which keeps any index in the file's
pandas metadata; every pandas reader restores it, gokart's included (gokart reads with
``pd.read_feather``). gokart itself writes a non-default index as a column named
``__feather_gokart_index__<index name>``; loading restores the index from the last such column, so
files written by gokart load with their index. On pandas older than 2.1, whose ``to_feather``
refuses a non-default index, we write gokart's column instead.

polars frames use ``write_ipc``/``read_ipc`` and leave such columns as they are (as gokart does).
Column names must be strings (the offending ones are named).
"""

from __future__ import annotations

import re
import sys
from typing import Any, BinaryIO

from kartcore.errors import FormatError
from kartcore.io.formats.base import Preview
from kartcore.io.formats.frames import (
    FrameFormat,
    import_optional,
    import_pandas,
    import_polars,
    is_pandas_frame,
)

GOKART_INDEX_PREFIX = "__feather_gokart_index__"


def _pandas_writes_index(pd: Any) -> bool:
    found = re.match(r"(\d+)\.(\d+)", pd.__version__)
    return found is None or (int(found[1]), int(found[2])) >= (2, 1)


def _has_default_index(frame: Any, pd: Any) -> bool:
    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None


def dump_with_gokart_index(frame: Any, file: BinaryIO) -> None:
    """Write ``frame`` with its index as a ``__feather_gokart_index__<name>`` column, as gokart does."""
    column = f"{GOKART_INDEX_PREFIX}{frame.index.name}"
    if column in frame.columns or frame.index.name == "None":
        raise FormatError(f"cannot store the index as column {column!r}: rename the index or that column")
    frame.assign(**{column: frame.index}).reset_index(drop=True).to_feather(file)


def restore_gokart_index(frame: Any, pd: Any) -> Any:
    """Move the last ``__feather_gokart_index__<name>`` column (if any) into the index, as gokart reads it."""
    columns = [name for name in frame.columns if isinstance(name, str) and name.startswith(GOKART_INDEX_PREFIX)]
    if not columns:
        return frame
    column = columns[-1]
    name = column[len(GOKART_INDEX_PREFIX) :]
    restored = frame.drop(columns=[column])
    restored.index = pd.Index(frame[column].to_numpy(), name=None if name == "None" else name)
    return restored


class FeatherFormat(FrameFormat):
    """A pandas or polars DataFrame as Feather v2."""

    extension = ".feather"
    needs_string_columns = True

    def check(self, obj: Any) -> None:
        super().check(obj)
        pd = sys.modules.get("pandas")
        if is_pandas_frame(obj) and not _pandas_writes_index(pd) and isinstance(obj.index, pd.MultiIndex):
            raise FormatError(f"cannot store a MultiIndex with pandas {pd.__version__}: reset_index() first")

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        pd = import_pandas(self.extension)
        import_optional("pyarrow", self.extension)
        if _has_default_index(obj, pd) or _pandas_writes_index(pd):
            obj.to_feather(file)
        else:
            dump_with_gokart_index(obj, file)

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        import_optional("pyarrow", self.extension)
        return restore_gokart_index(pd.read_feather(file), pd)

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The first record batch (pandas writes 64K rows each), its first rows only if there is more.

        Feather is usually compressed, so the file's size says little about the frame's: the frame is
        only shown whole when it is a single batch of at most ``budget`` bytes in memory.
        """
        import_optional("pyarrow", self.extension)
        import pyarrow.ipc

        reader = pyarrow.ipc.open_file(file)
        if reader.num_record_batches == 0:
            return Preview(self._frame(reader.schema.empty_table()))
        batch = reader.get_batch(0)
        if reader.num_record_batches == 1 and batch.nbytes <= budget:
            return Preview(self._frame(batch))
        return Preview(self._frame(batch.slice(0, max(rows, 1))), partial=True)

    def _frame(self, arrow: Any) -> Any:
        if self.frame_library == "pandas":
            pd = import_pandas(self.extension)
            return restore_gokart_index(arrow.to_pandas(), pd)
        return import_polars(self.extension).from_arrow(arrow)

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        obj.write_ipc(file)

    def load_polars(self, file: BinaryIO) -> Any:
        return import_polars(self.extension).read_ipc(file)

    def scan_polars(self, path: str) -> Any:
        return import_polars(self.extension).scan_ipc(path)
