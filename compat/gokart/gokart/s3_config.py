"""``gokart.s3_config``: ``S3Config``, the ``[S3Config]`` section naming the credential variables.

``get_s3_client()`` gives luigi's S3 client (boto3) built from those variables, once per process, for
code that talks to S3 itself. kartcore's own targets reach ``s3://`` through fsspec (s3fs).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import luigi

from gokart._extras import require

__all__ = ["S3Config"]


class S3Config(luigi.Config):
    """The names of the environment variables holding the AWS key pair."""

    aws_access_key_id_name = luigi.Parameter(default="AWS_ACCESS_KEY_ID", description="Variable with the key id.")
    aws_secret_access_key_name = luigi.Parameter(
        default="AWS_SECRET_ACCESS_KEY", description="Variable with the secret key."
    )

    _client: ClassVar[Any] = None

    def get_s3_client(self) -> Any:
        """luigi's ``S3Client``, made on first use and shared by every S3Config afterwards."""
        if S3Config._client is None:
            S3Config._client = self._get_s3_client()
        return S3Config._client

    def _get_s3_client(self) -> Any:
        require("boto3", "s3")
        import luigi.contrib.s3

        return luigi.contrib.s3.S3Client(
            aws_access_key_id=os.environ.get(self.aws_access_key_id_name),
            aws_secret_access_key=os.environ.get(self.aws_secret_access_key_name),
        )
