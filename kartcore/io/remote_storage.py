"""Objects in a store fsspec reaches by protocol (``s3://``, ``gs://``, ``memory://``...).

Split from :mod:`kartcore.io.storage`, which decides local or remote; this module holds everything
about the remote side: fsspec imported on first use, every foreign error wrapped into a
:class:`~kartcore.errors.StorageError` that names the path and the likely fix, and objects staged in
a *local* temp file and uploaded whole on publish (see storage.py's docstring for why).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import posixpath
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from kartcore.errors import KartError, StorageError
from kartcore.io.atomic import name_too_long, open_temp_for, remove_quietly
from kartcore.io.trust import private_directory

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


def staging_directory() -> str:
    """The local directory where objects for a remote store are written before they are uploaded.

    One per user, that only the user can write: in a directory others can write (a shared
    ``/tmp/kart-staging``, possibly made by someone else first) they could swap a staged object
    between its write and its upload, and so publish their pickle in your workspace. A staging
    directory someone else could write is refused, never used.
    """
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    directory = os.path.join(tempfile.gettempdir(), "kart-staging" if uid is None else f"kart-staging-{uid}")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if uid is None:
        return directory
    if os.stat(directory).st_uid == uid:
        os.chmod(directory, 0o700)
    if not private_directory(directory):
        raise StorageError(
            f"cannot stage uploads in {directory}: someone else owns it or can write to it (or to a directory "
            "above it), so they could replace what is uploaded. Remove it, or set TMPDIR to a directory only "
            "you can write"
        )
    return directory


class RemoteStorage:
    """A store fsspec reaches by protocol (``s3``, ``gs``, ...); every foreign error wrapped here."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol

    def exists(self, path: str) -> bool:
        """True if the object exists; False only for "not found"; any other failure raises StorageError."""
        try:
            self._call(path, "cannot check whether", "exists", lambda fs, key: fs.info(key))
        except FileNotFoundError:
            return False
        return True

    def open_read(self, path: str) -> BinaryIO:
        """An fsspec file object for reading; a missing object raises ``FileNotFoundError``."""
        return self._call(path, "cannot open", "for reading", lambda fs, key: fs.open(key, "rb"))

    @staticmethod
    @contextlib.contextmanager
    def open_temp_for(path: str) -> Iterator[tuple[str, BinaryIO]]:
        """A fresh *local* temp file for an object of ``path`` (uploaded by :meth:`publish`).

        Named after the object, cut to fit a local file name: a key's last part may be longer than that.
        """
        name = posixpath.basename(path.rstrip("/")) or "object"
        with open_temp_for(os.path.join(staging_directory(), name), final_is_local=False) as opened:
            yield opened

    def publish(self, temp_path: str, path: str) -> None:
        """Upload the staged local file as the object ``path`` (one atomic PUT), then delete the local file."""
        try:
            fs, key = self._fs(path)
            fs.put_file(temp_path, key)
        except KartError:
            raise
        except Exception as exc:
            if getattr(exc, "errno", None) == errno.ENAMETOOLONG:  # s3fs's KeyTooLongError
                raise name_too_long(path, f"{self.protocol}:// ({exc})") from exc
            raise self._error("cannot upload", path, "", exc) from exc
        finally:
            remove_quietly(temp_path)

    def remove(self, path: str) -> None:
        """Delete the object if it exists."""
        with contextlib.suppress(FileNotFoundError):
            self._call(path, "cannot delete", "", lambda fs, key: fs.rm_file(key))

    def modified(self, path: str) -> datetime.datetime:
        """Last modification time as naive local time (comparable with local files' times)."""
        stamp = self._call(path, "cannot read the modification time of", "", lambda fs, key: fs.modified(key))
        if stamp.tzinfo is not None:
            stamp = datetime.datetime.fromtimestamp(stamp.timestamp())
        return stamp

    def size(self, path: str) -> int:
        """Bytes in the object; a missing object raises ``FileNotFoundError``, any other failure StorageError."""
        return int(self._call(path, "cannot read the size of", "", lambda fs, key: fs.size(key)))

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
            _forget_listings(fs, key)
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

    def _call(self, path: str, action: str, rest: str, operation: Callable[[Any, str], Any]) -> Any:
        """``operation(fs, key)`` for ``path``: "not found" passes through as FileNotFoundError, any other
        failure becomes a StorageError saying ``action`` (so a broken credential never reads as missing)."""
        fs, key = self._fs(path)
        try:
            return operation(fs, key)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise self._error(action, path, rest, exc) from exc

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
