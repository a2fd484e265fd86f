"""``gokart.zip_client``: a directory packed into one zip file, on local disk or an object store.

``make_archive()`` zips ``temporary_directory`` to ``file_path``; ``unpack_archive()`` extracts it back
there. The object-store clients (:mod:`gokart.s3_zip_client`, :mod:`gokart.gcs_zip_client`) zip next
to the directory and copy the zip with luigi's client. kartcore's own model targets use
:mod:`kartcore.io.zip_targets` instead.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["LocalZipClient", "ObjectStoreZipClient", "ZipClient"]


def _unzip_file(fp: Any, extract_dir: str) -> None:
    with zipfile.ZipFile(fp) as archive:
        archive.extractall(extract_dir)


class ZipClient(ABC):
    """What every zip client offers."""

    @abstractmethod
    def exists(self) -> bool: ...

    @abstractmethod
    def make_archive(self) -> None: ...

    @abstractmethod
    def unpack_archive(self) -> None: ...

    @abstractmethod
    def remove(self) -> None: ...

    @property
    @abstractmethod
    def path(self) -> str: ...


class LocalZipClient(ZipClient):
    """A zip file on local disk."""

    def __init__(self, file_path: str, temporary_directory: str) -> None:
        self._file_path = file_path
        self._temporary_directory = temporary_directory

    def exists(self) -> bool:
        return os.path.exists(self._file_path)

    def make_archive(self) -> None:
        base, extension = os.path.splitext(self._file_path)
        shutil.make_archive(base_name=base, format=extension[1:], root_dir=self._temporary_directory)

    def unpack_archive(self) -> None:
        _unzip_file(self._file_path, self._temporary_directory)

    def remove(self) -> None:
        if os.path.exists(self._file_path):
            os.remove(self._file_path)

    @property
    def path(self) -> str:
        return self._file_path


class ObjectStoreZipClient(ZipClient):
    """A zip file in an object store, copied to and from ``<temporary_directory><ext>`` with ``client``."""

    def __init__(self, file_path: str, temporary_directory: str, client: Any) -> None:
        self._file_path = file_path
        self._temporary_directory = temporary_directory
        self._client = client

    def exists(self) -> bool:
        return bool(self._client.exists(self._file_path))

    def make_archive(self) -> None:
        if not os.path.isdir(self._temporary_directory):  # make_archive would zip the working directory
            raise FileNotFoundError(f"Temporary directory {self._temporary_directory} is not found.")
        extension = os.path.splitext(self._file_path)[1]
        root = self._temporary_directory.rstrip("/")
        shutil.make_archive(base_name=root, format=extension[1:], root_dir=self._temporary_directory)
        self._client.put(self._local_zip(), self._file_path)

    def unpack_archive(self) -> None:
        os.makedirs(self._temporary_directory, exist_ok=True)
        self._client.get(self._file_path, self._local_zip())
        _unzip_file(self._local_zip(), self._temporary_directory)

    def remove(self) -> None:
        self._client.remove(self._file_path)

    @property
    def path(self) -> str:
        return self._file_path

    def _local_zip(self) -> str:
        return self._temporary_directory.rstrip("/") + os.path.splitext(self._file_path)[1]
