"""The contract every file format implements.

Formats read and write *file objects* in binary mode, never paths, so the same format works on a
local temp file today and on an fsspec file object for object storage later.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import Any, BinaryIO, ClassVar

from kartcore.errors import FormatError


class FileFormat(ABC):
    """How one kind of file is written and read.

    ``check`` runs before anything is written, so an object the format cannot hold fails with a
    clear message and leaves no file behind.
    """

    #: What the format expects, used in error messages ("a pandas DataFrame or Series").
    expects: ClassVar[str] = "any object"

    def check(self, obj: Any) -> None:  # noqa: B027 - optional hook, accepting everything by default
        """Raise :class:`FormatError` if ``obj`` cannot be written by this format."""

    @abstractmethod
    def dump(self, obj: Any, file: BinaryIO) -> None:
        """Write ``obj`` to the binary file object."""

    @abstractmethod
    def load(self, file: BinaryIO) -> Any:
        """Read an object back from the binary file object."""

    def refuse(self, obj: Any) -> FormatError:
        """The error for an object of the wrong type (the caller adds task and path)."""
        return FormatError(f"expects {self.expects}, got {type(obj).__module__}.{type(obj).__qualname__}")


class TextFileFormat(FileFormat):
    """A format that works on text: wraps the binary file in UTF-8."""

    encoding: ClassVar[str] = "utf-8"

    @abstractmethod
    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        """Write ``obj`` as text."""

    @abstractmethod
    def load_text(self, file: io.TextIOBase) -> Any:
        """Read an object from text."""

    def dump(self, obj: Any, file: BinaryIO) -> None:
        text = io.TextIOWrapper(file, encoding=self.encoding, newline="")
        try:
            self.dump_text(obj, text)
            text.flush()
        finally:
            text.detach()

    def load(self, file: BinaryIO) -> Any:
        text = io.TextIOWrapper(file, encoding=self.encoding, newline="")
        try:
            return self.load_text(text)
        finally:
            text.detach()
