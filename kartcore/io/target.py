"""A target is a file at a path written and read through one format.

This is where foreign errors (pickle, pandas, the OS, the object store) are wrapped once into
kartcore errors that name the file. ``dump`` is atomic; ``stage`` writes the temp file only, so a
task can publish all its outputs after ``run()`` succeeded (``commit``) or throw them away
(``discard``). Where the bytes live (local disk or an fsspec store such as ``s3://``) is decided by
:mod:`kartcore.io.storage`; staged temp files are always local files.
"""

from __future__ import annotations

import datetime
import errno
import os
from collections.abc import Callable
from typing import Any, BinaryIO

import luigi

from kartcore.errors import FormatError, KartError, OutputNotFoundError, StorageError
from kartcore.io.atomic import remove_quietly
from kartcore.io.bounded import BoundedReader
from kartcore.io.formats import FileFormat, format_for_path
from kartcore.io.formats.base import Preview
from kartcore.io.storage import storage_for
from kartcore.io.trust import TrustPolicy, configured_policy

#: What to do about an OS error while writing, by errno (the default: "fix the disk", e.g. EIO).
_FIXES = {
    errno.ENOSPC: "free space",
    errno.EDQUOT: "free space (or raise the quota)",
    errno.EROFS: "make the file system writable (or point workspace_directory elsewhere)",
    errno.EACCES: "give this user write permission on the directory (or point workspace_directory elsewhere)",
    errno.EPERM: "give this user write permission on the directory (or point workspace_directory elsewhere)",
    errno.ENOTDIR: "remove or rename the file that stands where a directory of the path should be",
    errno.EEXIST: "remove or rename the file that stands where a directory of the path should be",
}


class Target(luigi.target.Target):
    """One output file: ``exists``/``load``/``dump``/``remove`` with atomic writes.

    ``owner`` is a label for messages (the task that writes the file); the io layer knows nothing
    else about tasks. ``trust`` is the policy for formats that run code on load (the settings of the
    task that made the target); ``None`` means the configured one (:func:`~kartcore.io.trust.configured_policy`).
    """

    def __init__(
        self, path: str, file_format: FileFormat | None = None, owner: str = "", trust: TrustPolicy | None = None
    ) -> None:
        self._path = path
        self._storage = storage_for(path)
        self.file_format = file_format if file_format is not None else format_for_path(path)
        self.owner = owner
        self.trust = trust

    def path(self) -> str:
        """The file's path (a method, as in gokart)."""
        return self._path

    def exists(self) -> bool:
        """True if the file exists; only "not found" is False (other storage failures raise StorageError)."""
        return self._storage.exists(self._path)

    def load(self, trust: TrustPolicy | None = None) -> Any:
        """Read the file; a missing or unreadable file raises an error that names it.

        A format that runs code on load (pickle) is read only if ``trust`` (the loader's policy), else
        the target's own, else the configured one, accepts the opened file: every load path is guarded
        here, on the descriptor the bytes are read from.
        """
        return self._read(self.file_format.load, trust)

    def preview(self, rows: int, budget: int, trust: TrustPolicy | None = None) -> Preview | None:
        """A bounded look for ``kart show``: the object or its first rows, None when ``budget`` is not enough.

        The format decides what to read (:meth:`FileFormat.preview`); the file it is given refuses to
        deliver more than twice ``budget`` bytes, so no format can turn a preview into a full read.
        Trust is checked as for :meth:`load`.
        """

        def bounded(file: BinaryIO) -> Preview | None:
            capped = BoundedReader(file, 2 * budget)
            try:
                return self.file_format.preview(capped, rows, budget)  # type: ignore[arg-type]
            except Exception:
                if capped.exceeded:
                    return None
                raise

        return self._read(bounded, trust)

    def _read(self, read: Callable[[BinaryIO], Any], trust: TrustPolicy | None) -> Any:
        try:
            file = self._storage.open_read(self._path)
        except FileNotFoundError:
            raise OutputNotFoundError(f"{self._describe()}{self._path} does not exist") from None
        with file:
            if self.file_format.runs_code_on_load:
                self.policy(trust).check(self._path, file)
            try:
                return read(file)
            except FormatError as exc:
                raise FormatError(f"{self._describe()}cannot read {self._path} as {self._extension()}: {exc}") from exc
            except KartError:
                raise
            except Exception as exc:
                if self._storage.is_transport_error(exc):
                    raise self._storage.describe_failure(f"{self._describe()}cannot read", self._path, exc) from exc
                raise FormatError(
                    f"{self._describe()}cannot read {self._path} as {self._extension()} "
                    f"({type(exc).__name__}: {exc}). The file may be truncated or corrupt: delete it "
                    "(or run the task with rerun=True) to write it again"
                ) from exc

    def policy(self, trust: TrustPolicy | None = None) -> TrustPolicy:
        """The policy a load applies: the loader's, else the target's, else the configured one."""
        if trust is not None:
            return trust
        return self.trust if self.trust is not None else configured_policy()

    def dump(self, obj: Any) -> None:
        """Write ``obj`` atomically: the file is either the previous version or the new one, never half."""
        self.commit(self.stage(obj))

    def stage(self, obj: Any) -> str:
        """Write ``obj`` to a temp file and return its path (not yet published).

        The temp file is a local file: next to the target for a local path, in the local staging
        directory for an object store (uploaded by :meth:`commit`).
        """
        try:
            self.file_format.check(obj)
        except FormatError as exc:
            raise FormatError(f"{self._describe()}cannot write {self._path}: {self._extension()} {exc}") from None
        try:
            with self._storage.open_temp_for(self._path) as (temp_path, file):
                self._write(obj, file)
        except OSError as exc:
            if isinstance(exc, KartError) or exc.errno is None:
                raise
            # The disk, not the object: ENOSPC, EDQUOT, EIO, EROFS... (also raised when the temp file is closed).
            name = errno.errorcode.get(exc.errno, str(exc.errno))
            fix = _FIXES.get(exc.errno, "fix the disk")
            raise StorageError(
                f"{self._describe()}cannot write {self._path}: {os.strerror(exc.errno)} ({name}). Nothing was "
                f"published and the previous version, if any, is unchanged; {fix} and run again"
            ) from exc
        return temp_path

    def _write(self, obj: Any, file: Any) -> None:
        try:
            self.file_format.dump(obj, file)
        except FormatError as exc:
            raise FormatError(f"{self._describe()}cannot write {self._path}: {self._extension()} {exc}") from exc
        except KartError:
            raise
        except OSError as exc:
            if exc.errno is None:  # e.g. PIL's "cannot write mode RGBA as JPEG": about the object
                raise self._cannot_write(obj, exc) from exc
            raise
        except Exception as exc:
            raise self._cannot_write(obj, exc) from exc

    def _cannot_write(self, obj: Any, exc: Exception) -> FormatError:
        return FormatError(
            f"{self._describe()}cannot write {type(obj).__name__} to {self._path} as "
            f"{self._extension()}: {type(exc).__name__}: {exc}"
        )

    def commit(self, staged_path: str) -> None:
        """Publish a staged temp file under the target's name."""
        self._storage.publish(staged_path, self._path)

    @staticmethod
    def discard(staged_path: str) -> None:
        """Throw away a staged temp file (always a local file, whatever the target's storage)."""
        remove_quietly(staged_path)

    def remove(self) -> None:
        """Delete the file if it exists."""
        self._storage.remove(self._path)

    def last_modification_time(self) -> datetime.datetime:
        """When the file was last written."""
        return self._storage.modified(self._path)

    def _extension(self) -> str:
        return os.path.splitext(self._path)[1] or "(no extension)"

    def _describe(self) -> str:
        return f"{self.owner}: " if self.owner else ""

    def __str__(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"Target({self._path!r})"


def make_target(
    path: str, file_format: FileFormat | None = None, owner: str = "", trust: TrustPolicy | None = None
) -> Target:
    """A target for ``path``, its format chosen by extension unless one is given."""
    return Target(path, file_format, owner, trust)
