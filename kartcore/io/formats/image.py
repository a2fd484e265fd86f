"""``.png`` and ``.jpg``: image files, as bytes.

Dump takes the encoded bytes (as gokart does), a PIL image (saved in the file's format; needs
Pillow) or a matplotlib figure (``savefig`` in the file's format). Load returns the file's bytes,
as gokart does; ``PIL.Image.open(io.BytesIO(data))`` turns them into an image.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO, ClassVar

from kartcore.errors import FormatError
from kartcore.io.formats.base import FileFormat

#: Image modes JPEG can store (no alpha channel, no palette).
JPEG_MODES = ("1", "L", "RGB", "CMYK")


def _is_pil_image(obj: Any) -> bool:
    image = sys.modules.get("PIL.Image")
    return image is not None and isinstance(obj, image.Image)


def _is_figure(obj: Any) -> bool:
    figure = sys.modules.get("matplotlib.figure")
    return figure is not None and isinstance(obj, figure.Figure)


class PngFormat(FileFormat):
    """PNG image bytes, a PIL image or a matplotlib figure."""

    #: The name Pillow and matplotlib use for the format.
    image_format: ClassVar[str] = "png"
    expects = "image bytes, a PIL image or a matplotlib figure"

    def check(self, obj: Any) -> None:
        if isinstance(obj, (bytes, bytearray, memoryview)) or _is_figure(obj):
            return
        if not _is_pil_image(obj):
            raise self.refuse(obj)
        if self.image_format == "jpeg" and obj.mode not in JPEG_MODES:
            raise FormatError(f"JPEG cannot store an image of mode {obj.mode!r}: image.convert('RGB') first")

    def dump(self, obj: Any, file: BinaryIO) -> None:
        if isinstance(obj, (bytes, bytearray, memoryview)):
            file.write(obj)
        elif _is_figure(obj):
            obj.savefig(file, format=self.image_format)
        else:
            obj.save(file, format=self.image_format.upper())

    def load(self, file: BinaryIO) -> bytes:
        return file.read()


class JpegFormat(PngFormat):
    """JPEG image bytes, a PIL image or a matplotlib figure."""

    image_format = "jpeg"
