"""``gokart.s3_zip_client``: a zip file on S3, through the client of :class:`gokart.s3_config.S3Config`."""

from __future__ import annotations

from gokart._extras import require
from gokart.zip_client import ObjectStoreZipClient

__all__ = ["S3ZipClient"]


class S3ZipClient(ObjectStoreZipClient):
    def __init__(self, file_path: str, temporary_directory: str) -> None:
        require("boto3", "s3")
        from gokart.s3_config import S3Config

        super().__init__(file_path, temporary_directory, S3Config().get_s3_client())
