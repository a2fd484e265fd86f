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
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from kartcore.errors import KartError, StorageError
from kartcore.io.atomic import open_temp_for, publish, remove_quietly

_PROTOCOL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
#: Libraries whose exceptions mean "the store could not be reached or refused", not "the bytes are bad".
_TRANSPORT_LIBRARIES = frozenset(
    {"botocore", "aiobotocore", "aiohttp", "s3fs", "gcsfs", "google", "fsspec", "requests", "urllib3", "adlfs"}
)
_CREDENTIAL_HINTS = {
    "s3": (
        "check the credentials and the endpoint: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, "
        "AWS_ENDPOINT_URL for an S3-compatible server, and that they may read/write and list the bucket "
        "(without s3:ListBucket, S3 answers 403 instead of 404 for a missing object)"
    ),
    "gs": (
        "check the credentials and the endpoint: GOOGLE_APPLICATION_CREDENTIALS or "
        "`gcloud auth application-default login`, STORAGE_EMULATOR_HOST for a GCS-compatible server, "
        "and that they may read/write the bucket"
    ),
}
_PACKAGES = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs"}


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


def staging_directory() -> str:
    """The local directory where objects for a remote store are written before they are uploaded."""
    return os.path.join(tempfile.gettempdir(), "kart-staging")


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


class RemoteStorage:
    """A store fsspec reaches by protocol (``s3``, ``gs``, ...); every foreign error wrapped here."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol

    def exists(self, path: str) -> bool:
        """True if the object exists; False only for "not found"; any other failure raises StorageError."""
        fs, key = self._fs(path)
        try:
            fs.info(key)
        except FileNotFoundError:
            return False
        except Exception as exc:
            raise self._error("cannot check whether", path, "exists", exc) from exc
        return True

    def open_read(self, path: str) -> BinaryIO:
        """An fsspec file object for reading; a missing object raises ``FileNotFoundError``."""
        fs, key = self._fs(path)
        try:
            return fs.open(key, "rb")
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise self._error("cannot open", path, "for reading", exc) from exc

    @staticmethod
    @contextlib.contextmanager
    def open_temp_for(path: str) -> Iterator[tuple[str, BinaryIO]]:
        """A fresh *local* temp file for an object of ``path`` (uploaded by :meth:`publish`)."""
        name = posixpath.basename(path.rstrip("/")) or "object"
        with open_temp_for(os.path.join(staging_directory(), name)) as opened:
            yield opened

    def publish(self, temp_path: str, path: str) -> None:
        """Upload the staged local file as the object ``path`` (one atomic PUT), then delete the local file."""
        try:
            fs, key = self._fs(path)
            fs.put_file(temp_path, key)
        except KartError:
            raise
        except Exception as exc:
            raise self._error("cannot upload", path, "", exc) from exc
        finally:
            remove_quietly(temp_path)

    def remove(self, path: str) -> None:
        """Delete the object if it exists."""
        fs, key = self._fs(path)
        try:
            fs.rm_file(key)
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise self._error("cannot delete", path, "", exc) from exc

    def modified(self, path: str) -> datetime.datetime:
        """Last modification time as naive local time (comparable with local files' times)."""
        fs, key = self._fs(path)
        try:
            stamp = fs.modified(key)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise self._error("cannot read the modification time of", path, "", exc) from exc
        if stamp.tzinfo is not None:
            stamp = datetime.datetime.fromtimestamp(stamp.timestamp())
        return stamp

    def size(self, path: str) -> int:
        """Bytes in the object; a missing object raises ``FileNotFoundError``, any other failure StorageError."""
        fs, key = self._fs(path)
        try:
            return int(fs.size(key))
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise self._error("cannot read the size of", path, "", exc) from exc

    def list_names(self, directory: str) -> list[str]:
        """The names (not keys) of the objects and "subdirectories" directly under ``directory``.

        [] only when nothing is there ("not found"); any other failure raises StorageError like
        :meth:`exists`, so a refused listing never reads as "no runs". The listing is fresh and is not
        left in fsspec's directory cache: s3fs answers later ``exists()`` calls from that cache, which
        would then miss objects written by other processes.
        """
        fs, key = self._fs(directory)
        key = key.rstrip("/")
        try:
            entries = fs.ls(key, detail=False, refresh=True)
        except FileNotFoundError:
            return []
        except Exception as exc:
            raise self._error("cannot list", directory, "", exc) from exc
        finally:
            with contextlib.suppress(Exception):
                fs.invalidate_cache(key)
        names = (str(entry).rstrip("/") for entry in entries)
        return sorted(posixpath.basename(name) for name in names if name != key)

    def list_files(self, directory: str) -> list[str]:
        """Every object under ``directory`` at any depth, as ``directory/<rest of its key>``, sorted.

        ``kart clean`` deletes from this list, hence: only keys strictly under the prefix (never the
        object ``directory`` itself nor a sibling like ``prefix2/x``); [] only for "not found", any other
        failure raises StorageError before anything is deleted; a fresh listing that leaves none of the
        listings fsspec caches along the way behind (see :meth:`list_names`). Spelled like ``directory``,
        the paths compare equal to the ones tasks build with :func:`join`.
        """
        fs, key = self._fs(directory)
        key = key.rstrip("/")
        try:
            found = fs.find(key, withdirs=False)
        except FileNotFoundError:
            return []
        except Exception as exc:
            raise self._error("cannot list", directory, "recursively", exc) from exc
        finally:
            _forget_listings(fs, key)
        base, under = directory.rstrip("/") + "/", key + "/"
        return sorted(base + name[len(under) :] for name in map(str, found) if name.startswith(under) and name != under)

    @staticmethod
    def is_transport_error(exc: BaseException) -> bool:
        """True for failures of the connection or the store (OSError or a storage library's error)."""
        if isinstance(exc, OSError):
            return True
        return any(cls.__module__.partition(".")[0] in _TRANSPORT_LIBRARIES for cls in type(exc).__mro__)

    def describe_failure(self, action: str, path: str, exc: BaseException) -> StorageError:
        """A StorageError for ``exc`` raised while doing ``action`` on ``path`` (used by targets)."""
        return self._error(action, path, "", exc)

    def _fs(self, path: str) -> tuple[Any, str]:
        try:
            from fsspec.core import url_to_fs
        except ImportError:
            extra = _extra(self.protocol)
            raise StorageError(
                f"{path} is on {self.protocol}://, which needs fsspec: pip install 'gokart-core[{extra}]'"
            ) from None
        try:
            return url_to_fs(path, **self._default_options())
        except ImportError as exc:
            package = _PACKAGES.get(self.protocol, "the fsspec implementation for it")
            raise StorageError(
                f"{path} is on {self.protocol}://, which needs {package}: pip install {package} ({exc})"
            ) from None
        except ValueError as exc:
            raise StorageError(f"{path}: fsspec does not know the protocol {self.protocol}:// ({exc})") from None

    def _default_options(self) -> dict[str, Any]:
        """AWS's recommended "standard" retries (3 attempts) for S3, unless the user configured retries.

        botocore's legacy default retries a refused connection for ~6 s per request (more per
        ``exists()``), which makes an unreachable endpoint look like a hang. A fresh dict each call:
        botocore rewrites it in place, and fsspec caches the file system by these arguments.
        """
        if self.protocol not in ("s3", "s3a") or "AWS_RETRY_MODE" in os.environ or "AWS_MAX_ATTEMPTS" in os.environ:
            return {}
        from fsspec.config import conf

        if "config_kwargs" in conf.get(self.protocol, {}):
            return {}
        return {"config_kwargs": {"retries": {"mode": "standard", "max_attempts": 3}}}

    def _error(self, action: str, path: str, rest: str, exc: BaseException) -> StorageError:
        hint = _CREDENTIAL_HINTS.get(self.protocol, f"check the credentials and the endpoint of {self.protocol}://")
        what = f"{action} {path}{' ' + rest if rest else ''}"
        detail = str(exc) or type(exc).__name__
        return StorageError(f"{what}: {type(exc).__name__}: {detail}. Nothing was treated as missing; {hint}")


def _forget_listings(fs: Any, key: str) -> None:
    """Drop fsspec's cached listings of ``key``, its parents and all under it: s3fs's ``find`` caches every
    "subdirectory" it saw (its ``invalidate_cache`` drops only ``key`` and parents), and ``exists()`` would
    answer "missing" from such a listing for an object another process writes there later."""
    with contextlib.suppress(Exception):
        fs.invalidate_cache(key)
    cache = getattr(fs, "dircache", {})
    with contextlib.suppress(Exception):
        for cached in [name for name in cache if name.startswith(key + "/")]:
            cache.pop(cached, None)


def _extra(protocol: str) -> str:
    return {"gs": "gcs", "gcs": "gcs"}.get(protocol, "s3")


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
