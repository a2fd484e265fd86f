"""``.xml``: an ElementTree (or a single Element), written as UTF-8 with an XML declaration.

gokart's XML dump fails on its own text-mode targets; ours writes bytes, so it works. Loading
returns an ``ElementTree``. An empty file (what an empty ``ElementTree()`` is written as) loads as
an empty ``ElementTree()``, like gokart; unlike gokart, a file that is not well-formed XML is an
error rather than an empty tree, so a truncated file is noticed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, BinaryIO

from kartcore.io.formats.base import FileFormat


class XmlFormat(FileFormat):
    """An ``xml.etree.ElementTree.ElementTree`` or ``Element``."""

    expects = "an xml.etree.ElementTree.ElementTree or Element"

    def check(self, obj: Any) -> None:
        if not isinstance(obj, (ET.ElementTree, ET.Element)):
            raise self.refuse(obj)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        tree = obj if isinstance(obj, ET.ElementTree) else ET.ElementTree(obj)
        if tree.getroot() is None:
            return
        tree.write(file, encoding="utf-8", xml_declaration=True)

    def load(self, file: BinaryIO) -> ET.ElementTree:
        data = file.read()
        if not data.strip():
            return ET.ElementTree()
        return ET.ElementTree(ET.fromstring(data))
