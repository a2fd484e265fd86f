"""Storage and formats: targets, atomic writes and the extension → format registry.

Knows nothing about tasks or luigi workers (the task layer builds on it, not the other way).
"""

from kartcore.io.formats import FileFormat, TextFileFormat, register_format, supported_extensions
from kartcore.io.target import Target, make_target

__all__ = ["FileFormat", "Target", "TextFileFormat", "make_target", "register_format", "supported_extensions"]
