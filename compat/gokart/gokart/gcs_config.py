"""``gokart.gcs_config``: not served by kartcore (named here so the error says so)."""

from gokart._dropin import module_getattr

__getattr__ = module_getattr(
    "gokart.gcs_config",
    {"GCSConfig": "kartcore reaches s3:// and gs:// through fsspec (s3fs/gcsfs) and their usual credentials"},
)
