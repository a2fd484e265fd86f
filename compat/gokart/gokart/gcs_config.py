"""``gokart.gcs_config``: ``GCSConfig``, the ``[GCSConfig]`` section naming the credential variable.

The variable holds a service account key: a file path or the JSON itself; unset or empty means the
default credentials. ``get_gcs_client()`` gives luigi's GCS client built from it, once per process,
for code that talks to GCS itself. kartcore's own targets reach ``gs://`` through fsspec (gcsfs).
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

import luigi

from gokart._extras import require

__all__ = ["GCSConfig"]


class GCSConfig(luigi.Config):
    """The name of the environment variable holding the service account key (path or JSON)."""

    gcs_credential_name = luigi.Parameter(default="GCS_CREDENTIAL", description="Variable with the key.")

    _client: ClassVar[Any] = None

    def get_gcs_client(self) -> Any:
        """luigi's ``GCSClient``, made on first use and shared by every GCSConfig afterwards."""
        if GCSConfig._client is None:
            GCSConfig._client = self._get_gcs_client()
        return GCSConfig._client

    def _get_gcs_client(self) -> Any:
        require("googleapiclient", "gcs")
        import luigi.contrib.gcs

        return luigi.contrib.gcs.GCSClient(oauth_credentials=self._load_oauth_credentials())

    def _load_oauth_credentials(self) -> Any:
        """The service account credentials the variable names, or None for the default ones."""
        credentials = require("google.oauth2.service_account", "gcs").Credentials
        value = os.environ.get(self.gcs_credential_name)
        if not value:
            return None
        if os.path.isfile(value):
            return credentials.from_service_account_file(value)
        return credentials.from_service_account_info(json.loads(value))
