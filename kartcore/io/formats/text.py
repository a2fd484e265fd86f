"""``.txt``, ``.ini`` and ``.gz``: lines of text, as gokart writes and reads them.

A list is written one item per line (``str(item)`` and a newline), anything else as ``str(obj)``.
Loading returns the list of lines with trailing whitespace stripped, even when a single string was
written: gokart code relies on that shape, so we keep it. Bytes are refused (``str(b"..")`` is
never what was meant: write them to a binary format such as ``.png`` or ``.pkl``).
"""

from __future__ import annotations

import gzip
import io
from typing import Any, BinaryIO

from kartcore.io.formats.base import FileFormat, Preview, TextFileFormat, read_at_most


def _lines_of(obj: Any) -> list[str]:
    if isinstance(obj, list):
        return [f"{item}\n" for item in obj]
    return [str(obj)]


def _check_text(fmt: FileFormat, obj: Any) -> None:
    if isinstance(obj, (bytes, bytearray, memoryview)):
        raise fmt.refuse(obj)


class TextFormat(TextFileFormat):
    """Text lines (``.txt``, ``.ini``)."""

    expects = "a string, a list of lines or an object to write as str(obj)"
    preview_header_lines = 0

    def check(self, obj: Any) -> None:
        _check_text(self, obj)

    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        file.writelines(_lines_of(obj))

    def load_text(self, file: io.TextIOBase) -> list[str]:
        return [line.rstrip() for line in file.readlines()]


class GzipTextFormat(FileFormat):
    """Gzip-compressed UTF-8 text lines (``.gz``)."""

    expects = TextFormat.expects

    def check(self, obj: Any) -> None:
        _check_text(self, obj)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        with gzip.GzipFile(fileobj=file, mode="wb") as compressed:
            for line in _lines_of(obj):
                compressed.write(line.encode("utf-8"))

    def load(self, file: BinaryIO) -> list[str]:
        with gzip.GzipFile(fileobj=file, mode="rb") as compressed:
            return [line.rstrip().decode("utf-8") for line in compressed]

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """As for ``.txt``, on the text: at most ``budget`` bytes are decompressed (a small .gz can hold a lot)."""
        with gzip.GzipFile(fileobj=file, mode="rb") as compressed:
            data, whole = read_at_most(compressed, budget)  # type: ignore[arg-type]
        text = TextFormat()
        return Preview(text.load(io.BytesIO(data))) if whole else text.preview_head(data, rows)
