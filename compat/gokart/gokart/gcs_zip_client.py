"""``gokart.gcs_zip_client``: a zip file on GCS, through the client of :class:`gokart.gcs_config.GCSConfig`."""

from __future__ import annotations

from gokart._extras import require
from gokart.zip_client import ObjectStoreZipClient

__all__ = ["GCSZipClient"]


class GCSZipClient(ObjectStoreZipClient):
    def __init__(self, file_path: str, temporary_directory: str) -> None:
        require("googleapiclient", "gcs")
        from gokart.gcs_config import GCSConfig

        super().__init__(file_path, temporary_directory, GCSConfig().get_gcs_client())
