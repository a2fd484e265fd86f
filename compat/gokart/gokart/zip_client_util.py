"""``gokart.zip_client_util``: the zip client for a path (S3, GCS or local)."""

from __future__ import annotations

from gokart.zip_client import LocalZipClient, ZipClient

__all__ = ["make_zip_client"]


def make_zip_client(file_path: str, temporary_directory: str) -> ZipClient:
    if file_path.startswith("s3://"):
        from gokart.s3_zip_client import S3ZipClient

        return S3ZipClient(file_path, temporary_directory)
    if file_path.startswith("gs://"):
        from gokart.gcs_zip_client import GCSZipClient

        return GCSZipClient(file_path, temporary_directory)
    return LocalZipClient(file_path, temporary_directory)
