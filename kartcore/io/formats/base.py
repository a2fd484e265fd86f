"""The contract every file format implements.

A format is a small class registered by extension in :mod:`kartcore.io.formats`. Adding one is a
one-file change: write a module with a :class:`FileFormat` subclass and add ``".ext":
"module:Class"`` to the table there (or call ``kartcore.register_format(".ext", Class)`` from user
code). The contract:

``check(obj)``
    Runs before anything is written. Raise :class:`~kartcore.errors.FormatError` (usually
    ``raise self.refuse(obj)``) for an object the format cannot hold, so the user gets a message
    naming the file and no half-written file is left. It must be cheap: no serialising.
``dump(obj, file)``
    Write ``obj`` to a *binary* file object opened for writing. Formats never open paths, so the
    same format works on a local temp file and on an fsspec file object. A format may write to
    :func:`local_path` ``(file)`` instead, when the file object is a plain local file and that is
    measurably faster (pyarrow and pandas' C readers are).
``load(file)``
    Read the object back from a binary file object opened for reading. Any exception is wrapped by
    the target into a ``FormatError`` that names the file and says how to write it again.
``with_frame_library(library)``
    Data-frame formats return a copy of themselves that loads ``"pandas"``, ``"polars"`` or
    ``"polars-lazy"`` frames (the task layer asks for polars when a task is
    ``TaskOnKart[polars.DataFrame]``); what is written is decided by the object's own type. Other
    formats ignore the library and return ``self``.

Instances are shared between targets, so formats keep no per-file state. Heavy libraries (pandas,
numpy, pyarrow, polars, PIL, dill) are imported inside methods only: ``import kartcore`` and
choosing a format must stay light.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from typing import Any, BinaryIO, ClassVar

from kartcore.errors import FormatError

#: The values ``frame_library`` can take; ``None`` means pandas.
FRAME_LIBRARIES = ("pandas", "polars", "polars-lazy")


class FileFormat(ABC):
    """How one kind of file is written and read (see the module docstring for the contract)."""

    #: What the format expects, used in error messages ("a pandas DataFrame or Series").
    expects: ClassVar[str] = "any object"
    #: True when loading a file can run code from it (pickle): such files are only as safe as their writer.
    runs_code_on_load: ClassVar[bool] = False

    def check(self, obj: Any) -> None:  # noqa: B027 - optional hook, accepting everything by default
        """Raise :class:`FormatError` if ``obj`` cannot be written by this format."""

    @abstractmethod
    def dump(self, obj: Any, file: BinaryIO) -> None:
        """Write ``obj`` to the binary file object."""

    @abstractmethod
    def load(self, file: BinaryIO) -> Any:
        """Read an object back from the binary file object."""

    def with_frame_library(self, library: str) -> FileFormat:
        """This format loading frames of ``library``; formats that load no frames return ``self``."""
        return self

    def refuse(self, obj: Any) -> FormatError:
        """The error for an object of the wrong type (the caller adds task and path)."""
        return FormatError(f"expects {self.expects}, got {type_name(obj)}")


class TextFileFormat(FileFormat):
    """A format that works on text: wraps the binary file in UTF-8 (universal newlines on read)."""

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


def type_name(obj: Any) -> str:
    """``module.Qualname`` of ``obj``'s type, for messages (builtins without the module)."""
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


_PLAIN_FILES = (io.BufferedReader, io.BufferedWriter, io.BufferedRandom, io.FileIO)


def local_path(file: Any) -> str | None:
    """The path of a plain, unwrapped local file positioned at its start, else ``None``.

    Only a builtin ``open()`` file qualifies (not an fsspec or luigi wrapper that happens to have a
    ``name``), and only at position 0 with nothing buffered, so writing or reading through the
    path sees exactly what the file object would.
    """
    name = getattr(file, "name", None)
    if not isinstance(file, _PLAIN_FILES) or not isinstance(name, str) or not os.path.isfile(name):
        return None
    try:
        return name if file.tell() == 0 else None
    except (OSError, ValueError):
        return None
