"""The extension → format table, imported lazily.

Formats are named by ``"module:Class"`` strings and imported on first use (fsspec's
``known_implementations`` pattern), so choosing ``.pkl`` never imports pandas. Users add their own
with :func:`register_format`.
"""

from __future__ import annotations

import importlib
import os

from kartcore.errors import UnsupportedFormatError
from kartcore.io.formats.base import FileFormat, TextFileFormat

_FORMATS: dict[str, str | type[FileFormat]] = {
    ".pkl": "kartcore.io.formats.pickle:PickleFormat",
    ".txt": "kartcore.io.formats.text:TextFormat",
    ".gz": "kartcore.io.formats.text:GzipTextFormat",
    ".json": "kartcore.io.formats.json:JsonFormat",
    ".csv": "kartcore.io.formats.csv:CsvFormat",
    ".tsv": "kartcore.io.formats.csv:TsvFormat",
}
_instances: dict[str, FileFormat] = {}


def register_format(extension: str, file_format: str | type[FileFormat]) -> None:
    """Make ``extension`` (e.g. ``".yaml"``) use ``file_format`` (a class or ``"module:Class"``)."""
    key = _normalise(extension)
    _FORMATS[key] = file_format
    _instances.pop(key, None)


def supported_extensions() -> list[str]:
    """The registered extensions, sorted."""
    return sorted(_FORMATS)


def format_for_path(path: str) -> FileFormat:
    """The format for a file name, chosen by its last extension."""
    extension = os.path.splitext(path)[1]
    try:
        return format_for_extension(extension)
    except UnsupportedFormatError as exc:
        raise UnsupportedFormatError(f"{path}: {exc}") from None


def format_for_extension(extension: str) -> FileFormat:
    """The (shared, stateless) format instance registered for ``extension``."""
    key = _normalise(extension)
    cached = _instances.get(key)
    if cached is not None:
        return cached
    spec = _FORMATS.get(key)
    if spec is None:
        shown = extension or "(no extension)"
        raise UnsupportedFormatError(
            f"unsupported file extension {shown}; supported: {', '.join(supported_extensions())}. "
            "Pass processor=... to make_target or register one with kartcore.register_format()."
        )
    cls = _import(spec) if isinstance(spec, str) else spec
    instance = _instances[key] = cls()
    return instance


def _normalise(extension: str) -> str:
    extension = extension.lower()
    return extension if extension.startswith(".") else f".{extension}"


def _import(spec: str) -> type[FileFormat]:
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


__all__ = [
    "FileFormat",
    "TextFileFormat",
    "format_for_extension",
    "format_for_path",
    "register_format",
    "supported_extensions",
]
