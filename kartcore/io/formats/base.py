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
``preview(file, rows, budget)``
    A :class:`Preview` for ``kart show`` that reads at most ``budget`` bytes (the target also caps
    the file), or ``None`` when nothing sensible fits in that. The default loads the whole object
    when the file is that small, and the first lines of line-based formats (``preview_header_lines``);
    formats whose bytes expand a lot when loaded (gzip, zip, Parquet) override it.
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
import zipfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from kartcore.errors import FormatError

#: The values ``frame_library`` can take; ``None`` means pandas.
FRAME_LIBRARIES = ("pandas", "polars", "polars-lazy")


@dataclass(frozen=True)
class Preview:
    """What a bounded preview found: the object, or only its first lines/rows when ``partial``."""

    value: Any
    partial: bool = False


class FileFormat(ABC):
    """How one kind of file is written and read (see the module docstring for the contract)."""

    #: What the format expects, used in error messages ("a pandas DataFrame or Series").
    expects: ClassVar[str] = "any object"
    #: True when loading a file can run code from it (pickle): such files are only as safe as their writer.
    runs_code_on_load: ClassVar[bool] = False
    #: Line-based formats (text, csv, JSON lines): the header lines before the rows, so a preview can
    #: load the first lines of a big file. None: the file only makes sense whole.
    preview_header_lines: ClassVar[int | None] = None

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

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The whole object when the file holds at most ``budget`` bytes, else :meth:`preview_head` or None."""
        data, whole = read_at_most(file, budget)
        return Preview(self.load(io.BytesIO(data))) if whole else self.preview_head(data, rows)

    def preview_head(self, head: bytes, rows: int) -> Preview | None:
        """What the first bytes of a file too big to load whole show: for a line-based format
        (``preview_header_lines`` set) its header and first ``rows`` lines, loaded; otherwise None.
        """
        if self.preview_header_lines is None:
            return None
        return Preview(self.load(io.BytesIO(first_lines(head, self.preview_header_lines + max(rows, 1)))), partial=True)

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

    def preview_head(self, head: bytes, rows: int) -> Preview | None:
        """As :meth:`FileFormat.preview_head`; text that cannot be loaded in part is shown as it begins."""
        found = super().preview_head(head, rows)
        if found is not None:
            return found
        lines = head.decode(self.encoding, errors="replace").splitlines()[: max(rows, 1)]
        return Preview("\n".join(lines), partial=True)


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


def read_at_most(file: BinaryIO, budget: int) -> tuple[bytes, bool]:
    """Up to ``budget`` bytes of ``file`` and whether that was all of it."""
    data = file.read(budget + 1)
    return data[:budget], len(data) <= budget


def first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` complete lines of ``data``, which was cut somewhere (so its last line may be partial)."""
    return b"".join(data.splitlines(keepends=True)[:-1][:count])


def zip_preview(fmt: FileFormat, file: BinaryIO, budget: int) -> Preview | None:
    """The object of a zip-based file when its members unpack to at most ``budget`` bytes, else None.

    The sizes come from the archive's central directory, so a small zip of highly compressible
    data is not unpacked into memory just to be previewed.
    """
    with zipfile.ZipFile(file) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > budget:
        return None
    file.seek(0)
    return Preview(fmt.load(file))
