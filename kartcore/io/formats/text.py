"""``.txt`` and ``.gz``: lines of text, as gokart writes and reads them.

A list is written one item per line, anything else as ``str(obj)``. Loading returns the list of
lines with trailing whitespace stripped, even when a single string was written: gokart code relies
on that shape, so we keep it.
"""

from __future__ import annotations

import gzip
import io
from typing import Any, BinaryIO

from kartcore.io.formats.base import FileFormat, TextFileFormat


def _lines_of(obj: Any) -> list[str]:
    if isinstance(obj, (list, tuple)):
        return [f"{item}\n" for item in obj]
    return [str(obj)]


class TextFormat(TextFileFormat):
    """Text lines (``.txt``)."""

    expects = "a string or a list of lines"

    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        file.writelines(_lines_of(obj))

    def load_text(self, file: io.TextIOBase) -> list[str]:
        return [line.rstrip() for line in file.read().splitlines()]


class GzipTextFormat(FileFormat):
    """Gzip-compressed text lines (``.gz``)."""

    expects = "a string or a list of lines"

    def dump(self, obj: Any, file: BinaryIO) -> None:
        with gzip.GzipFile(fileobj=file, mode="wb") as compressed:
            compressed.write("".join(_lines_of(obj)).encode("utf-8"))

    def load(self, file: BinaryIO) -> list[str]:
        with gzip.GzipFile(fileobj=file, mode="rb") as compressed:
            return [line.rstrip() for line in compressed.read().decode("utf-8").splitlines()]
