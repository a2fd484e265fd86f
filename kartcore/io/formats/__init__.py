"""The extension → format table, imported lazily.

Formats are named by ``"module:Class"`` strings and imported on first use (fsspec's
``known_implementations`` pattern), so choosing ``.pkl`` never imports pandas. Adding a format is
one new module plus one line in ``_FORMATS`` (the contract is in :mod:`kartcore.io.formats.base`);
users add their own with :func:`register_format`.

``frame_library`` (``"pandas"``, the default, ``"polars"`` or ``"polars-lazy"``) chooses what the
data-frame formats (csv, tsv, ndjson, parquet, feather) load; the task layer passes ``"polars"``
for a ``TaskOnKart[polars.DataFrame]``. What is written always follows the object's own type.
"""

from __future__ import annotations

import importlib
import os

from kartcore.errors import FormatError, UnsupportedFormatError
from kartcore.io.formats.base import FRAME_LIBRARIES, FileFormat, TextFileFormat

_FORMATS: dict[str, str | type[FileFormat]] = {
    ".pkl": "kartcore.io.formats.pickle:PickleFormat",
    ".txt": "kartcore.io.formats.text:TextFormat",
    ".ini": "kartcore.io.formats.text:TextFormat",
    ".gz": "kartcore.io.formats.text:GzipTextFormat",
    ".json": "kartcore.io.formats.json:JsonFormat",
    ".ndjson": "kartcore.io.formats.ndjson:NdjsonFormat",
    ".csv": "kartcore.io.formats.csv:CsvFormat",
    ".tsv": "kartcore.io.formats.csv:TsvFormat",
    ".xml": "kartcore.io.formats.xml:XmlFormat",
    ".npz": "kartcore.io.formats.npz:NpzFormat",
    ".parquet": "kartcore.io.formats.parquet:ParquetFormat",
    ".feather": "kartcore.io.formats.feather:FeatherFormat",
    ".png": "kartcore.io.formats.image:PngFormat",
    ".jpg": "kartcore.io.formats.image:JpegFormat",
}
#: Shared instances by (extension, frame library).
_instances: dict[tuple[str, str], FileFormat] = {}


def register_format(extension: str, file_format: str | type[FileFormat]) -> None:
    """Make ``extension`` (e.g. ``".yaml"``) use ``file_format`` (a class or ``"module:Class"``)."""
    key = _normalise(extension)
    _FORMATS[key] = file_format
    for cached in [cached for cached in _instances if cached[0] == key]:
        del _instances[cached]


def unregister_format(extension: str) -> None:
    """Forget ``extension`` (mostly for tests that registered a format of their own)."""
    key = _normalise(extension)
    _FORMATS.pop(key, None)
    for cached in [cached for cached in _instances if cached[0] == key]:
        del _instances[cached]


def supported_extensions() -> list[str]:
    """The registered extensions, sorted."""
    return sorted(_FORMATS)


def format_for_path(path: str, frame_library: str | None = None) -> FileFormat:
    """The format for a file name, chosen by its last extension (frames loaded with ``frame_library``)."""
    extension = os.path.splitext(path)[1]
    try:
        return format_for_extension(extension, frame_library)
    except (UnsupportedFormatError, FormatError) as exc:
        raise type(exc)(f"{path}: {exc}") from None


def format_for_extension(extension: str, frame_library: str | None = None) -> FileFormat:
    """The (shared, stateless) format instance registered for ``extension``, loading ``frame_library`` frames."""
    key = _normalise(extension)
    library = frame_library or "pandas"
    if library not in FRAME_LIBRARIES:
        raise FormatError(f"frame_library must be one of {', '.join(FRAME_LIBRARIES)}, not {frame_library!r}")
    cached = _instances.get((key, library))
    if cached is not None:
        return cached
    spec = _FORMATS.get(key)
    if spec is None:
        shown = extension or "(no extension)"
        raise UnsupportedFormatError(
            f"unsupported file extension {shown}; supported: {', '.join(supported_extensions())}. "
            "Pass processor=... to make_target or register one with kartcore.register_format()."
        )
    if library == "pandas":
        instance = (_import(spec) if isinstance(spec, str) else spec)()
    else:
        instance = format_for_extension(key).with_frame_library(library)
    _instances[(key, library)] = instance
    return instance


def _normalise(extension: str) -> str:
    extension = extension.lower()
    return extension if extension.startswith(".") else f".{extension}"


def _import(spec: str) -> type[FileFormat]:
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


__all__ = [
    "FRAME_LIBRARIES",
    "FileFormat",
    "TextFileFormat",
    "format_for_extension",
    "format_for_path",
    "register_format",
    "supported_extensions",
    "unregister_format",
]
