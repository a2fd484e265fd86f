"""``gokart.file_processor``: kartcore's formats under gokart's processor names and constructors.

Each processor is a kartcore format (so kartcore's targets write and read it). A custom processor
subclasses :class:`FileProcessor` (or a concrete one, e.g. ``CsvFileProcessor``) and implements
``format()``, ``dump(obj, file)`` and ``load(file)`` as for gokart: when ``format()`` is a luigi
text format, its ``dump``/``load`` get a text file, otherwise a binary one.
"""

from __future__ import annotations

import functools
import io
import os
from typing import Any, ClassVar

import luigi.format

from gokart._dropin import not_provided
from kartcore.io.formats import FileFormat, format_for_path
from kartcore.io.formats.base import FRAME_LIBRARIES
from kartcore.io.formats.csv import CsvFormat
from kartcore.io.formats.feather import FeatherFormat
from kartcore.io.formats.image import PngFormat
from kartcore.io.formats.json import JsonFormat
from kartcore.io.formats.ndjson import NdjsonFormat
from kartcore.io.formats.npz import NpzFormat
from kartcore.io.formats.parquet import ParquetFormat
from kartcore.io.formats.pickle import PickleFormat
from kartcore.io.formats.text import GzipTextFormat, TextFormat
from kartcore.io.formats.xml import XmlFormat

__all__ = [
    "BinaryFileProcessor",
    "CsvFileProcessor",
    "FeatherFileProcessor",
    "FileProcessor",
    "GzipFileProcessor",
    "JsonFileProcessor",
    "NpzFileProcessor",
    "ParquetFileProcessor",
    "PickleFileProcessor",
    "TextFileProcessor",
    "XmlFileProcessor",
    "make_file_processor",
]


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
    """The base of every processor: a kartcore format with gokart's ``format()``."""

    #: True on this module's own classes; a user's subclass gets its dump/load adapted to ``format()``.
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


def _frame_library(processor: Any, dataframe_type: str) -> None:
    if dataframe_type not in FRAME_LIBRARIES:
        not_provided(f"gokart.file_processor.{type(processor).__name__}(dataframe_type={dataframe_type!r})")
    processor.frame_library = dataframe_type


class PickleFileProcessor(FileProcessor, PickleFormat):
    _kartcore_adapter = True


class TextFileProcessor(FileProcessor, TextFormat):
    _kartcore_adapter = True


class GzipFileProcessor(FileProcessor, GzipTextFormat):
    _kartcore_adapter = True


class XmlFileProcessor(FileProcessor, XmlFormat):
    _kartcore_adapter = True


class NpzFileProcessor(FileProcessor, NpzFormat):
    _kartcore_adapter = True


class BinaryFileProcessor(FileProcessor, PngFormat):
    """Bytes as they are (kartcore's image format also takes PIL images and matplotlib figures)."""

    _kartcore_adapter = True


class CsvFileProcessor(FileProcessor, CsvFormat):
    """``sep`` is ``','`` or ``'\\t'``; kartcore writes UTF-8 only."""

    _kartcore_adapter = True

    def __init__(self, sep: str = ",", encoding: str = "utf-8", dataframe_type: str = "pandas") -> None:
        if encoding.replace("-", "").replace("_", "").lower() != "utf8":
            not_provided(f"gokart.file_processor.CsvFileProcessor(encoding={encoding!r})", "kartcore writes UTF-8")
        self.separator = sep  # type: ignore[misc]
        _frame_library(self, dataframe_type)

    def format(self) -> Any:
        return luigi.format.TextFormat(encoding="utf-8")


class JsonFileProcessor(FileProcessor, JsonFormat):
    """``orient=None`` (``.json``) or ``'records'`` (JSON lines, kartcore's ``.ndjson`` format)."""

    _kartcore_adapter = True

    def __new__(cls, orient: str | None = None, dataframe_type: str = "pandas") -> Any:
        if orient == "records" and cls is JsonFileProcessor:
            return _NdjsonFileProcessor(dataframe_type)
        if orient is not None:
            not_provided(f"gokart.file_processor.JsonFileProcessor(orient={orient!r})", "orient None or 'records'")
        return super().__new__(cls)

    def __init__(self, orient: str | None = None, dataframe_type: str = "pandas") -> None:
        if dataframe_type != "pandas":
            not_provided(f"gokart.file_processor.JsonFileProcessor(dataframe_type={dataframe_type!r})")


class _NdjsonFileProcessor(FileProcessor, NdjsonFormat):
    _kartcore_adapter = True

    def __init__(self, dataframe_type: str = "pandas") -> None:
        _frame_library(self, dataframe_type)


class ParquetFileProcessor(FileProcessor, ParquetFormat):
    _kartcore_adapter = True

    def __init__(self, engine: str = "pyarrow", compression: Any = None, dataframe_type: str = "pandas") -> None:
        if engine != "pyarrow":
            not_provided(f"gokart.file_processor.ParquetFileProcessor(engine={engine!r})", "kartcore uses pyarrow")
        _frame_library(self, dataframe_type)


class FeatherFileProcessor(FileProcessor, FeatherFormat):
    _kartcore_adapter = True

    def __init__(self, store_index_in_feather: bool = True, dataframe_type: str = "pandas") -> None:
        _frame_library(self, dataframe_type)


_BY_EXTENSION: dict[str, Any] = {
    ".pkl": PickleFileProcessor,
    ".txt": TextFileProcessor,
    ".ini": TextFileProcessor,
    ".gz": GzipFileProcessor,
    ".csv": lambda dataframe_type: CsvFileProcessor(",", dataframe_type=dataframe_type),
    ".tsv": lambda dataframe_type: CsvFileProcessor("\t", dataframe_type=dataframe_type),
    ".json": lambda dataframe_type: JsonFileProcessor(None, dataframe_type),
    ".ndjson": lambda dataframe_type: JsonFileProcessor("records", dataframe_type),
    ".xml": XmlFileProcessor,
    ".npz": NpzFileProcessor,
    ".parquet": lambda dataframe_type: ParquetFileProcessor(dataframe_type=dataframe_type),
    ".feather": lambda dataframe_type: FeatherFileProcessor(dataframe_type=dataframe_type),
    ".png": BinaryFileProcessor,
    ".jpg": BinaryFileProcessor,
}
_TAKES_FRAMES = {".csv", ".tsv", ".json", ".ndjson", ".parquet", ".feather"}


def make_file_processor(
    file_path: str, store_index_in_feather: bool = True, dataframe_type: str = "pandas"
) -> FileFormat:
    """The processor for ``file_path``'s extension; kartcore's own format for extensions it registered."""
    extension = os.path.splitext(file_path)[1]
    factory = _BY_EXTENSION.get(extension)
    if factory is None:
        return format_for_path(file_path, frame_library=dataframe_type)  # user-registered, or kartcore's error
    return factory(dataframe_type) if extension in _TAKES_FRAMES else factory()
