"""A DAG whose workspace is a Google Cloud Storage bucket, on a real GCS-compatible server
(gcp-storage-emulator's JSON API, started as a process on 127.0.0.1): outputs and run records land
in the bucket, a second build reuses them, a failed run publishes nothing, and an endpoint where
nothing listens is a StorageError, never "not cached".

gcsfs reaches the emulator through ``STORAGE_EMULATOR_HOST``, the variable a user sets for one.
Two test-only settings, both for gcsfs rather than kartcore:

* ``token="anon"`` (fsspec config): without credentials gcsfs would otherwise try Google's default
  credentials, which probe the GCE metadata server (an address off this machine), then fall back to
  anonymous access anyway.
* gcsfs's plain ``GCSFileSystem`` instead of the ``ExtendedGcsFileSystem`` that ``import gcsfs``
  installs by default (``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT``): that one asks the Storage Control
  gRPC API for each bucket's layout before reads and writes; an emulator has no such API, and each
  such lookup retries for 60 s before falling back to the plain file system. The environment
  variable is read once, when gcsfs is first imported, so the registry entry is patched instead.

Missing credentials have no test here: the emulator accepts anonymous requests and gcsfs falls
back to anonymous access when it finds no credentials, so nothing would fail. The kartcore side of
that case (a refusal that is not "not found" raises StorageError) is what the unreachable-endpoint
test checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import kartcore
from kartcore.errors import BuildError, StorageError
from kartcore.io import make_target
from kartcore.io.remote_storage import staging_directory
from tests.e2e.storage_dag import RECORDS, RUNS, Broken, Numbers, Total, build_total_in, use_workspace
from tests.servers import free_port, stop, wait_for_port

pytestmark = pytest.mark.slow

GOOGLE_VARIABLES = (
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GCSFS_DEFAULT_PROJECT",
    "STORAGE_EMULATOR_HOST",
)


@pytest.fixture(scope="module")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a gcp-storage-emulator process running for the module's tests."""
    executable = shutil.which("gcp-storage-emulator", path=str(Path(sys.executable).parent))
    assert executable, "gcp-storage-emulator is installed with the dev extra"
    port = free_port()
    process = subprocess.Popen(
        [executable, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory", "--quiet"],
        cwd=tmp_path_factory.mktemp("gcs-emulator"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _use_plain_gcsfs(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """Point gcsfs at ``endpoint`` anonymously, with no Google configuration from the machine."""
    import fsspec.config
    from fsspec.registry import _registry  # the dict behind fsspec.registry (a read-only view)
    from gcsfs.core import GCSFileSystem

    for name in GOOGLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    monkeypatch.setitem(fsspec.config.conf, "gs", {"token": "anon"})
    for protocol in ("gs", "gcs"):
        monkeypatch.setitem(_registry, protocol, GCSFileSystem)
    GCSFileSystem.clear_instance_cache()


@pytest.fixture
def gcs_bucket(gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty bucket on the emulator, with gcsfs pointing at it."""
    from gcsfs.core import GCSFileSystem

    _use_plain_gcsfs(monkeypatch, gcs_endpoint)
    name = f"kart-{uuid.uuid4().hex[:12]}"
    _api(gcs_endpoint, "POST", "/storage/v1/b?project=kartcore-test", {"name": name})
    assert objects_in(gcs_endpoint, name) == {}
    yield name
    GCSFileSystem.clear_instance_cache()


def _api(endpoint: str, method: str, path: str, body: object = None) -> dict:
    """One call to the emulator's JSON API with urllib (independently of kartcore, fsspec and gcsfs)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        endpoint + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def objects_in(endpoint: str, bucket: str) -> dict[str, str]:
    """Every object in ``bucket``: name -> generation (a rewrite of an object changes its generation)."""
    found: dict[str, str] = {}
    token = ""
    while True:
        query = "?pageToken=" + urllib.parse.quote(token) if token else ""
        listing = _api(endpoint, "GET", f"/storage/v1/b/{bucket}/o{query}")
        found.update({item["name"]: item["generation"] for item in listing.get("items", [])})
        token = listing.get("nextPageToken", "")
        if not token:
            return found


def download(endpoint: str, bucket: str, name: str) -> bytes:
    """An object's bytes, straight from the emulator."""
    url = f"{endpoint}/download/storage/v1/b/{bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media"
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _name(path: str, bucket: str) -> str:
    prefix = f"gs://{bucket}/"
    assert path.startswith(prefix), path
    return path[len(prefix) :]


def test_build_writes_outputs_and_records_to_the_bucket_and_reuses_them(gcs_endpoint: str, gcs_bucket: str) -> None:
    workspace = f"gs://{gcs_bucket}/prefix"
    assert build_total_in(workspace) == ["Numbers", "Total"]

    total, numbers = Total(), Numbers()
    assert total.output().path() == f"{workspace}/report/total_{total.make_unique_id()}.json"
    objects = objects_in(gcs_endpoint, gcs_bucket)
    expected = {_name(numbers.output().path(), gcs_bucket), _name(total.output().path(), gcs_bucket)}
    for task in (numbers, total):
        for kind in RECORDS:
            extension = {"module_versions": ".txt", "run_record": ".json"}.get(kind, ".pkl")
            expected.add(f"prefix/log/{kind}/{type(task).__name__}_{task.make_unique_id()}{extension}")
    assert set(objects) == expected
    assert not any(".kart-tmp-" in name for name in objects)
    # The bytes in the bucket are the real output, read without kartcore; and kartcore loads them back.
    assert json.loads(download(gcs_endpoint, gcs_bucket, _name(total.output().path(), gcs_bucket))) == {"total": 6}
    assert total.output().load() == {"total": 6}
    assert numbers.output().load() == [0, 1, 2, 3]
    assert total.get_task_log()["file_path"] == [total.output().path()]
    assert isinstance(total.get_processing_time(), float)
    assert total.output().last_modification_time().year >= 2000

    RUNS.clear()
    assert kartcore.build(Total()) == {"total": 6}
    assert RUNS == []  # everything was found in the bucket
    assert objects_in(gcs_endpoint, gcs_bucket) == objects  # same objects, same generations: nothing rewritten


def test_failed_run_publishes_no_output(gcs_endpoint: str, gcs_bucket: str) -> None:
    use_workspace(f"gs://{gcs_bucket}/prefix")
    RUNS.clear()
    with pytest.raises(BuildError) as info:
        kartcore.build(Broken())
    assert isinstance(info.value.exception, RuntimeError)
    assert RUNS == ["Numbers", "Broken"]

    objects = objects_in(gcs_endpoint, gcs_bucket)
    broken_path = Broken().output().path()
    assert _name(broken_path, gcs_bucket) not in objects
    assert not any(name.startswith(_name(broken_path, gcs_bucket)) for name in objects)
    assert _name(Numbers().output().path(), gcs_bucket) in objects
    assert not any(name.startswith("prefix/log/task_log/Broken_") for name in objects)
    assert not any(".kart-tmp-" in name for name in objects)
    assert not Broken().output().exists()
    # The staged local file of the failed dump is gone too (only Broken's object name contains its id).
    leftovers = os.listdir(staging_directory()) if os.path.isdir(staging_directory()) else []
    assert not any(Broken().make_unique_id() in name for name in leftovers)


def test_unreachable_endpoint_is_a_storage_error_naming_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens at the endpoint: exists() raises StorageError (not False, which would mean "rerun").

    The time bound is gcsfs's, not kartcore's: gcsfs retries a failed request 6 times with exponential
    backoff (1 + 2 + 4 + 8 + 16 s, plus up to 1 s of jitter each), fixed when its class is defined, with
    no option or variable to lower it. S3 fails within seconds because kartcore sets botocore's retries.
    """
    from gcsfs.core import GCSFileSystem

    _use_plain_gcsfs(monkeypatch, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    target = make_target("gs://bucket/prefix/out.pkl")
    started = time.monotonic()
    try:
        with pytest.raises(StorageError) as info:
            target.exists()
        elapsed = time.monotonic() - started
        message = str(info.value)
        assert "gs://bucket/prefix/out.pkl" in message
        assert "Nothing was treated as missing" in message and "STORAGE_EMULATOR_HOST" in message
        assert elapsed < 45, f"exists() took {elapsed:.1f} s"
    finally:
        GCSFileSystem.clear_instance_cache()
