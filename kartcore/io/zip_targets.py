"""Outputs made of several files, stored as ONE zip: a model saved by its own functions, a large DataFrame.

Both are ordinary :class:`~kartcore.io.Target` formats that write the archive into the file object
the target gives them, so they inherit its guarantees: the zip is written to a temp file and renamed
(never half-written), a failed dump leaves the previous zip as it was, staging works during
``run()``, and ``remove()`` really deletes the zip.

Behaviour kept from gokart (``make_model_target``, ``make_large_data_frame_target``): the model's
functions get ``<scratch dir>/model.pkl``; the frame is split by size into ``data_<i>.pkl`` pickles.
Fixed here: chunks are read back in their written order (gokart reads them in directory order), and
scratch directories are removed even when a function fails.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from kartcore.errors import FormatError, KartError, TaskDefinitionError
from kartcore.io.formats.base import FileFormat, Preview, zip_preview
from kartcore.io.formats.frames import import_pandas, is_pandas_frame
from kartcore.io.target import Target
from kartcore.io.trust import TrustPolicy, private_directory

ZIP_EXTENSION = ".zip"
#: The file name the model's save and load functions are given, inside the scratch directory.
MODEL_FILE_NAME = "model.pkl"
#: Default chunk size of large frames (gokart's): 64 MiB of in-memory data per pickle.
DEFAULT_MAX_BYTE = 2**26
#: Deflate level 1: several times faster than the default level on large data, for a slightly bigger zip.
COMPRESS_LEVEL = 1

_CHUNK_NAME = re.compile(r"^data_(\d+)\.pkl$")


def is_zip_path(path: str) -> bool:
    """True if ``path`` names a zip archive (``.zip``, any case)."""
    return os.path.splitext(path)[1].lower() == ZIP_EXTENSION


@contextlib.contextmanager
def scratch_directory(root: str) -> Iterator[str]:
    """A fresh private directory under ``root``, removed with everything in it on exit (also on errors).

    When others could replace directories under ``root`` (a shared workspace's ``tmp/``), the system's
    temp directory is used instead: a model's files are written there and read back, and a swap in
    between would load someone else's file after the zip passed the trust check.
    """
    os.makedirs(root, exist_ok=True)
    if not private_directory(root):
        root = tempfile.gettempdir()
    directory = tempfile.mkdtemp(prefix="kart-zip-", dir=root)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def write_directory(directory: str, file: BinaryIO) -> None:
    """Zip every file under ``directory`` (paths relative to it, sorted) into the binary ``file``."""
    members = []
    for parent, subdirectories, names in os.walk(directory):
        subdirectories.sort()
        members.extend(os.path.join(parent, name) for name in sorted(names))
    if not members:
        raise ValueError(f"save_function wrote no file into {directory} (it is given {MODEL_FILE_NAME} there)")
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for member in members:
            archive.write(member, os.path.relpath(member, directory).replace(os.sep, "/"))


def extract(file: BinaryIO, directory: str) -> None:
    """Unzip ``file`` into ``directory``; every member's checksum is verified on the way."""
    with zipfile.ZipFile(file) as archive:
        archive.extractall(directory)  # drops absolute paths and '..' from member names


class LoadFunctionFailedError(KartError):
    """A model's ``load_function`` raised; :class:`ArchiveTarget` re-raises it naming the zip."""


class ModelArchiveFormat(FileFormat):
    """A model written by ``save_function(obj, <dir>/model.pkl)`` (it may add files), read by ``load_function``."""

    runs_code_on_load = True

    expects = "an object its save_function can write"

    def __init__(
        self,
        save_function: Callable[[Any, str], Any],
        load_function: Callable[[str], Any],
        scratch_root: str,
    ) -> None:
        for role, function in (("save_function", save_function), ("load_function", load_function)):
            if not callable(function):
                raise TaskDefinitionError(f"{role} must be callable, got {function!r}")
        self.save_function = save_function
        self.load_function = load_function
        self.scratch_root = scratch_root

    def dump(self, obj: Any, file: BinaryIO) -> None:
        with scratch_directory(self.scratch_root) as directory:
            self.save_function(obj, os.path.join(directory, MODEL_FILE_NAME))
            write_directory(directory, file)

    def load(self, file: BinaryIO) -> Any:
        with scratch_directory(self.scratch_root) as directory:
            extract(file, directory)
            try:
                return self.load_function(os.path.join(directory, MODEL_FILE_NAME))
            except KartError:
                raise
            except Exception as exc:
                name = getattr(self.load_function, "__qualname__", repr(self.load_function))
                raise LoadFunctionFailedError(f"load_function {name} raised {type(exc).__name__}: {exc}") from exc

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The model when its files unpack to at most ``budget`` bytes (its load_function reads them whole)."""
        return zip_preview(self, file, budget)


class FrameChunksFormat(FileFormat):
    """A pandas DataFrame split row-wise into ``data_<i>.pkl`` pickles of about ``max_byte`` each, in one zip.

    Reading concatenates the chunks in their number order, so rows, index and dtypes come back as
    written. Zips written by gokart (same member names, plus a ``load_function.pkl`` ignored here)
    are read too.
    """

    runs_code_on_load = True

    expects = "a pandas DataFrame"

    def __init__(self, max_byte: int = DEFAULT_MAX_BYTE) -> None:
        if isinstance(max_byte, bool) or not isinstance(max_byte, int) or max_byte <= 0:
            raise TaskDefinitionError(f"max_byte must be a positive number of bytes, got {max_byte!r}")
        self.max_byte = max_byte

    def check(self, obj: Any) -> None:
        if not is_pandas_frame(obj):
            raise self.refuse(obj)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
            for number, chunk in enumerate(split_rows(obj, self.max_byte)):
                with archive.open(f"data_{number}.pkl", "w", force_zip64=True) as member:
                    pickle.dump(chunk, member, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, file: BinaryIO) -> Any:
        pd = import_pandas(ZIP_EXTENSION)
        with zipfile.ZipFile(file) as archive:
            names = chunk_names(archive.namelist())
            chunks = []
            for name in names:
                with archive.open(name) as member:
                    chunks.append(pd.read_pickle(member, compression=None))
        return chunks[0] if len(chunks) == 1 else pd.concat(chunks)

    def preview(self, file: BinaryIO, rows: int, budget: int) -> Preview | None:
        """The frame when its chunks unpack to at most ``budget`` bytes (each chunk is one pickle, read whole)."""
        return zip_preview(self, file, budget)


def split_rows(frame: Any, max_byte: int) -> list[Any]:
    """``frame`` cut into consecutive row ranges of about ``max_byte`` bytes of memory each (at least one)."""
    size = int(frame.memory_usage(index=True, deep=True).sum())
    count = max(1, min(len(frame), size // max_byte + 1))
    bounds = [len(frame) * number // count for number in range(count + 1)]
    return [frame.iloc[start:stop] for start, stop in itertools.pairwise(bounds)]


def chunk_names(names: list[str]) -> list[str]:
    """The ``data_<i>.pkl`` members in number order; a gap in the numbers means a damaged archive."""
    numbered = sorted((int(match.group(1)), name) for name in names if (match := _CHUNK_NAME.match(name)))
    if not numbered:
        raise FormatError("the zip holds no data_<i>.pkl chunk, so it is not a large-DataFrame archive")
    numbers = [number for number, _ in numbered]
    if numbers != list(range(len(numbers))):
        raise FormatError(f"the zip's chunks are not numbered 0..{len(numbers) - 1}: {numbers[:20]}")
    return [name for _, name in numbered]


class ArchiveTarget(Target):
    """A zip target whose read errors name the zip and say what to do."""

    def load(self, trust: TrustPolicy | None = None) -> Any:
        try:
            return super().load(trust)
        except LoadFunctionFailedError as exc:
            raise FormatError(
                f"{self._describe()}cannot load the model in {self.path()}: {exc}. The zip itself was read; "
                "check load_function (or run the task with rerun=True if save_function changed)"
            ) from exc.__cause__
        except FormatError as exc:
            if self.path() in str(exc):
                raise
            raise FormatError(
                f"{self._describe()}cannot read {self.path()}: {exc}. Delete it (or run the task with rerun=True) "
                "to write it again"
            ) from exc


def require_zip_path(path: str, purpose: str) -> None:
    """Refuse a path that does not end in ``.zip`` (``purpose`` names the caller in the message)."""
    if not is_zip_path(path):
        raise TaskDefinitionError(
            f"{purpose} stores its files in one zip archive, so its path must end in .zip; got {path!r}"
        )


def model_target(
    path: str,
    save_function: Callable[[Any, str], Any],
    load_function: Callable[[str], Any],
    scratch_root: str,
    owner: str = "",
    trust: TrustPolicy | None = None,
) -> ArchiveTarget:
    """The zip target of a model written and read by the given functions."""
    require_zip_path(path, "a model target")
    return ArchiveTarget(path, ModelArchiveFormat(save_function, load_function, scratch_root), owner, trust)


def large_frame_target(
    path: str, max_byte: int = DEFAULT_MAX_BYTE, owner: str = "", trust: TrustPolicy | None = None
) -> ArchiveTarget:
    """The zip target of a DataFrame stored in chunks of about ``max_byte`` bytes."""
    require_zip_path(path, "a large-DataFrame target")
    return ArchiveTarget(path, FrameChunksFormat(max_byte), owner, trust)
