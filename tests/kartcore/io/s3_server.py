"""A real S3-compatible server for tests: moto's server mode on 127.0.0.1 with a free port.

``moto_endpoint`` (module scope) starts and stops the server; ``s3_bucket`` (per test) points the
AWS variables at it, isolates the test from the machine's own AWS configuration, creates a fresh
bucket and returns its name. fsspec caches file systems (with their credentials) by arguments, so
the cache is cleared around every test that changes the environment.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ACCESS_KEY = "kartcore-test-key"
SECRET_KEY = "kartcore-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clear_fsspec_cache() -> None:
    """Forget cached S3 file systems (they hold the credentials and endpoint they were made with)."""
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()


def isolate_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, profile or endpoint from the machine; no instance-metadata lookups."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    clear_fsspec_cache()


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a moto S3 server running for the module's tests."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty bucket on the moto server, with the environment pointing at it."""
    import boto3

    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    name = f"kart-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    yield name
    clear_fsspec_cache()


def keys_in(bucket: str) -> list[str]:
    """Every key in ``bucket``, sorted (read with boto3, independently of kartcore and fsspec)."""
    import boto3

    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
