"""``gokart.object_storage``: luigi targets and checks for ``s3://`` and ``gs://`` paths.

For code that opens object-store files through luigi itself (``S3Target``/``GCSTarget`` with the
clients of :mod:`gokart.s3_config` and :mod:`gokart.gcs_config`). kartcore's own targets do not go
through here: they reach object stores through fsspec.
"""

from __future__ import annotations

import datetime
from typing import Any

from gokart._dropin import module_getattr
from gokart._extras import require

__all__ = ["ObjectStorage", "object_storage_path_prefix"]

object_storage_path_prefix = ["s3://", "gs://"]


def _unsupported(path: str) -> ValueError:
    return ValueError(f"{path!r} is not an object storage path (s3://... or gs://...)")


def _s3_client() -> Any:
    from gokart.s3_config import S3Config

    return S3Config().get_s3_client()


def _gcs_client() -> Any:
    from gokart.gcs_config import GCSConfig

    return GCSConfig().get_gcs_client()


class ObjectStorage:
    """Static helpers over luigi's S3 and GCS clients."""

    @staticmethod
    def if_object_storage_path(path: str) -> bool:
        return path.startswith(tuple(object_storage_path_prefix))

    @staticmethod
    def get_object_storage_target(path: str, format: Any) -> Any:
        """luigi's ``S3Target`` or ``GCSTarget`` for ``path``, reading and writing through ``format``."""
        if path.startswith("s3://"):
            require("boto3", "s3")
            import luigi.contrib.s3

            return luigi.contrib.s3.S3Target(path, client=_s3_client(), format=format)
        if path.startswith("gs://"):
            require("googleapiclient", "gcs")
            import luigi.contrib.gcs

            return luigi.contrib.gcs.GCSTarget(path, client=_gcs_client(), format=format)
        raise _unsupported(path)

    @staticmethod
    def exists(path: str) -> bool:
        if path.startswith("s3://"):
            require("boto3", "s3")
            return bool(_s3_client().exists(path))
        if path.startswith("gs://"):
            require("googleapiclient", "gcs")
            return bool(_gcs_client().exists(path))
        raise _unsupported(path)

    @staticmethod
    def get_timestamp(path: str) -> datetime.datetime:
        """When the object was last written; FileNotFoundError when there is none."""
        if path.startswith("s3://"):
            key = _s3_client().get_key(path)
            if key is None:
                raise FileNotFoundError(f"S3 key not found: {path}")
            return key.last_modified
        if path.startswith("gs://"):
            client = _gcs_client()
            bucket, name = client._path_to_bucket_and_key(path)
            return client.client.objects().get(bucket=bucket, object=name).execute()["updated"]
        raise _unsupported(path)

    @staticmethod
    def is_buffered_reader(file: object) -> bool:
        """False for luigi's streaming S3 reader (no ``tell``/``seek``), True for any other file."""
        try:
            __import__("boto3")
        except ImportError:
            return True
        import luigi.contrib.s3

        return not isinstance(file, luigi.contrib.s3.ReadableS3File)

    @staticmethod
    def get_zip_client(file_path: str, temporary_directory: str) -> Any:
        from gokart.zip_client_util import make_zip_client

        return make_zip_client(file_path, temporary_directory)


__getattr__ = module_getattr("gokart.object_storage", {})
