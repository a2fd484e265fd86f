"""``gokart.file_processor``: kartcore's formats under gokart's processor names and constructors.

Each processor is a kartcore format (so kartcore's targets write and read it) with gokart's ``format()``
for luigi targets. A custom processor subclasses :class:`FileProcessor` (or a concrete one) as for
gokart (see :mod:`gokart.file_processor.base`).
"""

from __future__ import annotations

import os
from typing import Any

import luigi.format

from gokart._dropin import not_provided
from gokart.file_processor import base
from gokart.file_processor.base import FileProcessor
from kartcore.errors import UnsupportedFormatError
from kartcore.io.formats import FileFormat, format_for_path
from kartcore.io.formats.base import FRAME_LIBRARIES
from kartcore.io.formats.csv import CsvFormat
from kartcore.io.formats.feather import FeatherFormat
from kartcore.io.formats.frame_json import FrameJsonFormat
from kartcore.io.formats.image import PngFormat
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
    "UnsupportedExtensionError",
    "XmlFileProcessor",
    "make_file_processor",
]


class UnsupportedExtensionError(UnsupportedFormatError, AssertionError):
    """No processor for a file's extension; an ``AssertionError`` too, which is what gokart raises."""


def _frame_library(processor: Any, dataframe_type: str) -> None:
    if dataframe_type not in FRAME_LIBRARIES:
        not_provided(f"gokart.file_processor.{type(processor).__name__}(dataframe_type={dataframe_type!r})")
    processor.frame_library = dataframe_type
    processor._dataframe_type = dataframe_type


class PickleFileProcessor(FileProcessor, PickleFormat):
    _kartcore_adapter = True

    def load(self, file: Any) -> Any:
        return super().load(base._ChunkedLargeFileReader(file))


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
    """``sep`` is ``','`` or ``'\\t'``; ``encoding`` as for kartcore's CsvFormat."""

    _kartcore_adapter = True

    def __init__(self, sep: str = ",", encoding: str = "utf-8", dataframe_type: str = "pandas") -> None:
        super().__init__(encoding)
        self.separator = sep  # type: ignore[misc]
        _frame_library(self, dataframe_type)

    def format(self) -> Any:
        return luigi.format.TextFormat(encoding=self.encoding)


class JsonFileProcessor(FileProcessor, FrameJsonFormat):
    """Frames as JSON in pandas' ``orient`` (JSON lines for ``'records'``), read back as frames."""

    _kartcore_adapter = True

    def __init__(self, orient: str | None = None, dataframe_type: str = "pandas") -> None:
        super().__init__(orient)
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
    ".pkl": lambda library: PickleFileProcessor(),
    ".txt": lambda library: TextFileProcessor(),
    ".ini": lambda library: TextFileProcessor(),
    ".gz": lambda library: GzipFileProcessor(),
    ".csv": lambda library: CsvFileProcessor(",", dataframe_type=library),
    ".tsv": lambda library: CsvFileProcessor("\t", dataframe_type=library),
    ".json": lambda library: JsonFileProcessor(None, library),
    ".ndjson": lambda library: JsonFileProcessor("records", library),
    ".xml": lambda library: XmlFileProcessor(),
    ".npz": lambda library: NpzFileProcessor(),
    ".parquet": lambda library: ParquetFileProcessor(dataframe_type=library),
    ".feather": lambda library: FeatherFileProcessor(dataframe_type=library),
    ".png": lambda library: BinaryFileProcessor(),
    ".jpg": lambda library: BinaryFileProcessor(),
}


def make_file_processor(
    file_path: str, store_index_in_feather: bool = True, dataframe_type: str = "pandas"
) -> FileFormat:
    """gokart's processor for ``file_path``'s extension; a format registered with kartcore for any other."""
    factory = _BY_EXTENSION.get(os.path.splitext(file_path)[1])
    if factory is not None:
        return factory(dataframe_type)
    try:
        return format_for_path(file_path, frame_library=dataframe_type)
    except UnsupportedFormatError as exc:
        raise UnsupportedExtensionError(str(exc)) from None
