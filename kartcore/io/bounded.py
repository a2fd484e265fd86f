"""A read-only file that refuses to hand out more than a byte budget: the hard bound of previews.

``kart show`` previews outputs of any size. Each format reads what it needs for a preview
(:meth:`~kartcore.io.formats.base.FileFormat.preview`), and this wrapper makes the bound a property
of the file rather than a promise of every format: a read that would take the total past ``limit``
raises :class:`BudgetExceeded` instead of coming back short (and ``exceeded`` stays set, whatever
exception a library turns it into). Seeking is free, so readers that jump to a footer (Parquet,
zip) keep working.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO


class BudgetExceeded(OSError):
    """More bytes were asked for than the preview's budget allows."""


class BoundedReader(io.RawIOBase):
    """``file`` (binary, readable) that raises :class:`BudgetExceeded` after ``limit`` bytes have been read."""

    def __init__(self, file: BinaryIO, limit: int) -> None:
        super().__init__()
        self._file = file
        self.limit = limit
        self.bytes_read = 0
        self.exceeded = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._file.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        allowed = self.limit - self.bytes_read
        data = self._file.read(min(len(view), allowed + 1))  # one byte more tells "over" from "at the end"
        if len(data) > allowed:
            self.exceeded = True
            raise BudgetExceeded(f"a preview reads at most {self.limit} bytes")
        view[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)
