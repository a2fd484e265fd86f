"""``gokart.file_processor.base``: the processor base class and the reader pickles are loaded through.

Loading a pickle reads through :class:`_ChunkedLargeFileReader` (looked up on this module at each load,
so it can be wrapped or replaced), which splits one huge ``read(n)`` into reads below 2 GiB: some
platforms' ``read`` system call refuses larger ones.
"""

from __future__ import annotations

import functools
import io
from typing import Any, ClassVar

import luigi.format

from kartcore.io.formats import FileFormat

__all__ = ["FileProcessor", "_ChunkedLargeFileReader"]

#: The largest single read handed to the underlying file.
MAX_READ = (1 << 31) - 1


class _ChunkedLargeFileReader:
    """A binary file whose ``read(n)`` reads at most :data:`MAX_READ` bytes at a time."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def read(self, size: int = -1) -> bytes:
        if size is None or size <= MAX_READ:
            return self._file.read(size)
        parts, left = [], size
        while left > 0:
            part = self._file.read(min(left, MAX_READ))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def readline(self, size: int = -1) -> bytes:
        return self._file.readline(size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text_encoding(luigi_format: Any) -> str | None:
    """The encoding when ``luigi_format`` hands text to the processor, None when it hands bytes."""
    if isinstance(luigi_format, luigi.format.TextFormat):
        return str(luigi_format.kwargs.get("encoding") or "utf-8")
    return None


def _dump_through_format(dump: Any) -> Any:
    @functools.wraps(dump)
    def wrapper(self: FileProcessor, obj: Any, file: Any) -> None:
        encoding = _text_encoding(self.format())
        if encoding is None or isinstance(file, io.TextIOBase):
            return dump(self, obj, file)
        text = io.TextIOWrapper(file, encoding=encoding, newline="")
        try:
            dump(self, obj, text)
            text.flush()
        finally:
            text.detach()

    return wrapper


def _load_through_format(load: Any) -> Any:
    @functools.wraps(load)
    def wrapper(self: FileProcessor, file: Any) -> Any:
        encoding = _text_encoding(self.format())
        if encoding is None or isinstance(file, io.TextIOBase):
            return load(self, file)
        text = io.TextIOWrapper(file, encoding=encoding)
        try:
            return load(self, text)
        finally:
            text.detach()

    return wrapper


class FileProcessor(FileFormat):
    """The base of every processor: a kartcore format with gokart's ``format()``.

    A user's subclass implements ``format()``, ``dump(obj, file)`` and ``load(file)`` as for gokart:
    when ``format()`` is a luigi text format its ``dump``/``load`` get a text file, otherwise a binary one.
    """

    #: True on the drop-in's own classes; a user's subclass gets its dump/load adapted to ``format()``.
    _kartcore_adapter: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_kartcore_adapter"):
            return
        if "dump" in cls.__dict__:
            cls.dump = _dump_through_format(cls.__dict__["dump"])  # type: ignore[method-assign]
        if "load" in cls.__dict__:
            cls.load = _load_through_format(cls.__dict__["load"])  # type: ignore[method-assign]

    def format(self) -> Any:
        """The luigi format of the file: bytes (``Nop``) unless a subclass says text."""
        return luigi.format.Nop
