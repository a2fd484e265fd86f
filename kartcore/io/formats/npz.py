"""``.npz``: numpy arrays in a compressed zip (``np.savez_compressed``).

An array is stored under the key ``data`` and loaded back as the array, which is what gokart writes
and reads. A dict of arrays (string keys) is stored one key each and loaded back as a dict; a dict
whose only key is ``data`` carries an extra marker entry so it comes back as a dict, not an array.
Object arrays are refused (they would need pickle, and loading never allows pickle: use ``.pkl``).
"""

from __future__ import annotations

import sys
import zipfile
from typing import Any, BinaryIO

from kartcore.errors import FormatError
from kartcore.io.formats.base import FileFormat, Preview, type_name, zip_preview
from kartcore.io.formats.frames import import_optional

KEY = "data"
DICT_MARKER = "__kartcore_dict__"


def _is_array(obj: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(obj, np.ndarray)


class NpzFormat(FileFormat):
    """A numpy array, or a dict of arrays."""

    expects = "a numpy ndarray or a dict of str -> ndarray"

    def check(self, obj: Any) -> None:
        arrays = obj if isinstance(obj, dict) else {KEY: obj}
        for key, value in arrays.items():
            if not isinstance(key, str) or key == DICT_MARKER:
                raise FormatError(f"needs string keys other than {DICT_MARKER!r}; got key {key!r}")
            if not _is_array(value):
                where = f" (key {key!r} is a {type_name(value)})" if isinstance(obj, dict) else ""
                raise FormatError(f"expects {self.expects}, got {type_name(obj)}{where}")
            if value.dtype.hasobject:
                raise FormatError(f"cannot hold object arrays (key {key!r}); write them to .pkl instead")

    def dump(self, obj: Any, file: BinaryIO) -> None:
        np = import_optional("numpy", ".npz")
        if not isinstance(obj, dict):
            np.savez_compressed(file, **{KEY: obj})
        elif set(obj) == {KEY}:
            np.savez_compressed(file, **obj, **{DICT_MARKER: np.zeros(0, dtype=np.int8)})
        else:
            np.savez_compressed(file, **obj)

    def load(self, file: BinaryIO) -> Any:
        np = import_optional("numpy", ".npz")
        with np.load(file, allow_pickle=False) as archive:
            names = list(archive.files)
            if names == [KEY]:
                return archive[KEY]
            return {name: archive[name] for name in names if name != DICT_MARKER}

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The arrays if they unpack to at most ``budget`` bytes, else each array's shape and dtype (headers only)."""
        found = zip_preview(self, file, budget)
        if found is not None:
            return found
        np = import_optional("numpy", ".npz")
        file.seek(0)
        shapes = {}
        with zipfile.ZipFile(file) as archive:
            for name in archive.namelist():
                key = name.removesuffix(".npy")
                if key == DICT_MARKER:
                    continue
                with archive.open(name) as member:
                    version = np.lib.format.read_magic(member)
                    read_header = np.lib.format.read_array_header_1_0
                    if version != (1, 0):
                        read_header = np.lib.format.read_array_header_2_0
                    shape, _, dtype = read_header(member)
                shapes[key] = f"array of shape {shape}, dtype {dtype}"
        return Preview(shapes[KEY] if list(shapes) == [KEY] else shapes, partial=True)
