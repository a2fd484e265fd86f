"""``.pkl``: Python's pickle, the default output format.

Plain pickle (protocol 5) rather than gokart's dill: it is several times faster on large objects
and every Python reads it. Pickle runs code when loading, so only load files you trust.
"""

from __future__ import annotations

import pickle
from typing import Any, BinaryIO

from kartcore.io.formats.base import FileFormat

PROTOCOL = 5


class PickleFormat(FileFormat):
    """Any picklable object."""

    expects = "a picklable object"

    def dump(self, obj: Any, file: BinaryIO) -> None:
        pickle.dump(obj, file, protocol=PROTOCOL)

    def load(self, file: BinaryIO) -> Any:
        return pickle.load(file)
