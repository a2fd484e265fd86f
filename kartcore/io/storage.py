"""Where a target's bytes live: the local disk (plain ``os`` calls) or a remote store through fsspec.

This module is the one place that tells the two apart (:func:`storage_for`); targets and path
joining ask it and never look at a path's scheme themselves.

* A path without a protocol is local: ``os`` calls and :mod:`kartcore.io.atomic` (temp file next to
  the target, then ``os.replace``). fsspec is never imported for it.
* ``file://...`` is local too, with the scheme stripped (fsspec's local copy is not atomic).
* Any other protocol (``s3://``, ``gs://``, ``memory://``, ...) goes through
  ``fsspec.core.url_to_fs``, imported on first use. Credentials, endpoints and options come from the
  storage library's own configuration (``AWS_*`` variables, ``~/.aws``, ``AWS_ENDPOINT_URL`` for an
  S3-compatible server, ``GOOGLE_APPLICATION_CREDENTIALS``, ``STORAGE_EMULATOR_HOST`` for a
  GCS-compatible one) or fsspec's (``FSSPEC_S3_ENDPOINT_URL``,
  ``~/.config/fsspec/*.json``).

Writing to an object store: the object is written to a *local* temp file first (the same staging
a local target uses) and uploaded on commit with one ``put_file``. An object store publishes a PUT
(or a completed multipart upload) whole, so readers see the previous object or the new one, never
a part; a failed or killed run leaves nothing in the bucket (not even temp keys, which a "temp key +
copy + delete" scheme would leave behind on a crash, at the price of a second full write on stores
whose copy is a rewrite). Formats also get a plain local file to write, so their fast paths apply.

``exists()`` and ``list_names()`` treat only "not found" as missing. Any other failure (bad or
missing credentials, no network, a 403) raises :class:`~kartcore.errors.StorageError` naming the
path and the fix, so a broken credential never looks like "not cached, run it again" or "no runs".
"""

from __future__ import annotations

import contextlib
import datetime
import os
import posixpath
import re
from typing import BinaryIO

from kartcore.errors import StorageError
from kartcore.io.atomic import open_temp_for, publish, remove_quietly
from kartcore.io.remote_storage import RemoteStorage

_PROTOCOL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def protocol_of(path: str) -> str | None:
    """``"s3"`` for ``s3://bucket/key``; ``None`` for a local path."""
    match = _PROTOCOL.match(path)
    return match.group(1).lower() if match else None


def is_remote(path: str) -> bool:
    """True when ``path`` is stored through fsspec (it has a protocol other than ``file``)."""
    return protocol_of(path) not in (None, "file")


def join(base: str, *parts: str) -> str:
    """``base`` joined with ``parts``: ``/`` for remote paths (on every OS), ``os.path.join`` for local ones."""
    if is_remote(base):
        return posixpath.join(base if base.endswith("://") else base.rstrip("/") + "/", *parts)
    return os.path.join(base, *parts)


def display_path(path: str) -> str:
    """``path`` tidied for people: ``os.path.normpath`` for a plain local path, any URL unchanged.

    ``normpath`` collapses the double slash of a scheme (``s3://b/k`` -> ``s3:/b/k``), which would
    print a path no tool can open.
    """
    return os.path.normpath(path) if protocol_of(path) is None else path


class LocalStorage:
    """Files on the local disk: plain ``os`` calls, atomic rename on publish."""

    exists = staticmethod(os.path.exists)

    @staticmethod
    def open_read(path: str) -> BinaryIO:
        """Open for reading; a missing file raises ``FileNotFoundError``."""
        return open(path, "rb")

    @staticmethod
    def open_temp_for(path: str) -> contextlib.AbstractContextManager[tuple[str, BinaryIO]]:
        """A fresh temp file next to ``path`` (removed if the block raises)."""
        return open_temp_for(path)

    @staticmethod
    def publish(temp_path: str, path: str) -> None:
        """Rename the finished temp file onto ``path``."""
        publish(temp_path, path)

    remove = staticmethod(remove_quietly)

    @staticmethod
    def modified(path: str) -> datetime.datetime:
        """Last modification time, naive local time."""
        return datetime.datetime.fromtimestamp(os.path.getmtime(path))

    size = staticmethod(os.path.getsize)

    @staticmethod
    def list_names(directory: str) -> list[str]:
        """The names of the entries directly in ``directory`` (``os.listdir``); [] if it does not exist.

        Run records are found by listing (``kart history``), and a workspace that never ran has no
        log directory yet: that is "no runs", not an error. Any other failure (e.g. no permission) raises.
        """
        try:
            return os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return []

    @staticmethod
    def is_transport_error(exc: BaseException) -> bool:
        """Local reads have no transport: any read error is about the file's bytes."""
        return False

    @staticmethod
    def describe_failure(action: str, path: str, exc: BaseException) -> StorageError:
        """A StorageError for ``exc`` raised while doing ``action`` on ``path``."""
        return StorageError(f"{action} {path}: {type(exc).__name__}: {exc}")


class FileUrlStorage(LocalStorage):
    """``file:///abs/path``: the local storage, on the path without its scheme."""

    @staticmethod
    def exists(path: str) -> bool:  # type: ignore[override]
        return os.path.exists(_strip_file(path))

    @staticmethod
    def open_read(path: str) -> BinaryIO:
        return open(_strip_file(path), "rb")

    @staticmethod
    def open_temp_for(path: str) -> contextlib.AbstractContextManager[tuple[str, BinaryIO]]:
        return open_temp_for(_strip_file(path))

    @staticmethod
    def publish(temp_path: str, path: str) -> None:
        publish(temp_path, _strip_file(path))

    @staticmethod
    def remove(path: str) -> None:  # type: ignore[override]
        remove_quietly(_strip_file(path))

    @staticmethod
    def modified(path: str) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(os.path.getmtime(_strip_file(path)))

    @staticmethod
    def size(path: str) -> int:
        return os.path.getsize(_strip_file(path))

    @staticmethod
    def list_names(directory: str) -> list[str]:
        return LocalStorage.list_names(_strip_file(directory))


def _strip_file(path: str) -> str:
    return path[len("file://") :]


LOCAL = LocalStorage()
_FILE_URL = FileUrlStorage()
_REMOTE: dict[str, RemoteStorage] = {}

Storage = LocalStorage | RemoteStorage


def storage_for(path: str) -> Storage:
    """The storage that holds ``path``: local files (the fast path) or an fsspec store by protocol."""
    if "://" not in path:
        return LOCAL
    protocol = protocol_of(path)
    if protocol is None:
        return LOCAL
    if protocol == "file":
        return _FILE_URL
    storage = _REMOTE.get(protocol)
    if storage is None:
        storage = _REMOTE[protocol] = RemoteStorage(protocol)
    return storage
