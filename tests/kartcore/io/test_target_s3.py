"""Targets on a real S3-compatible server (moto in server mode): atomic writes, staging, and errors.

The point of most checks: only "not found" counts as missing. Bad credentials or an unreachable
endpoint raise StorageError, quickly, and name the path and the fix.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kartcore.errors import FormatError, OutputNotFoundError, StorageError
from kartcore.io import Target, make_target
from tests.kartcore.io.s3_server import clear_fsspec_cache, free_port, isolate_aws, keys_in, moto_endpoint, s3_bucket

__all__ = ["moto_endpoint", "s3_bucket"]  # fixtures, used by name


def test_pickle_round_trip_writes_one_object_under_the_prefix(s3_bucket: str) -> None:
    target = make_target(f"s3://{s3_bucket}/prefix/a/b.pkl")
    assert not target.exists()
    target.dump({"x": [1, 2]})
    assert target.exists()
    assert target.load() == {"x": [1, 2]}
    assert keys_in(s3_bucket) == ["prefix/a/b.pkl"]
    assert target.last_modification_time().year >= 2000


@pytest.mark.parametrize("extension", [".csv", ".parquet", ".tsv", ".json", ".txt"])
def test_formats_round_trip(s3_bucket: str, extension: str) -> None:
    if extension in (".json", ".txt"):
        value: object = {"a": 1} if extension == ".json" else ["line one", "line two"]
        target = make_target(f"s3://{s3_bucket}/formats/value{extension}")
        target.dump(value)
        assert target.load() == value
        return
    pd = pytest.importorskip("pandas")
    if extension == ".parquet":
        pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    target = make_target(f"s3://{s3_bucket}/formats/frame{extension}")
    target.dump(frame)
    pd.testing.assert_frame_equal(target.load(), frame)
    assert keys_in(s3_bucket) == [f"formats/frame{extension}"]


def test_failed_dump_publishes_nothing_and_keeps_the_previous_object(s3_bucket: str) -> None:
    fresh = make_target(f"s3://{s3_bucket}/p/fresh.pkl")
    with pytest.raises(FormatError):
        fresh.dump(i for i in range(3))  # no pickler holds a generator
    assert keys_in(s3_bucket) == []
    kept = make_target(f"s3://{s3_bucket}/p/kept.pkl")
    kept.dump("previous")
    with pytest.raises(FormatError) as info:
        kept.dump(i for i in range(3))
    assert f"s3://{s3_bucket}/p/kept.pkl" in str(info.value)
    assert kept.load() == "previous"
    assert keys_in(s3_bucket) == ["p/kept.pkl"]


def test_stage_writes_locally_until_commit(s3_bucket: str) -> None:
    target = make_target(f"s3://{s3_bucket}/staged/out.txt")
    staged = target.stage("hello")
    assert os.path.exists(staged) and keys_in(s3_bucket) == [] and not target.exists()
    target.commit(staged)
    assert target.load() == ["hello"] and not os.path.exists(staged)
    other = target.stage("discarded")
    Target.discard(other)
    assert not os.path.exists(other) and target.load() == ["hello"]
    assert keys_in(s3_bucket) == ["staged/out.txt"]


def test_remove_deletes_the_object_and_ignores_a_missing_one(s3_bucket: str) -> None:
    target = make_target(f"s3://{s3_bucket}/gone.pkl")
    target.dump(1)
    target.remove()
    assert not target.exists() and keys_in(s3_bucket) == []
    target.remove()


def test_missing_object_is_output_not_found(s3_bucket: str) -> None:
    target = Target(f"s3://{s3_bucket}/missing.pkl", owner="Producer[abc]")
    with pytest.raises(OutputNotFoundError) as info:
        target.load()
    assert "Producer[abc]" in str(info.value) and f"s3://{s3_bucket}/missing.pkl" in str(info.value)


def test_missing_bucket_counts_as_missing_but_writing_says_why(s3_bucket: str) -> None:
    target = make_target("s3://kart-no-such-bucket/x.pkl")
    assert not target.exists()
    with pytest.raises(StorageError) as info:
        target.dump(1)
    assert "s3://kart-no-such-bucket/x.pkl" in str(info.value)


def test_missing_credentials_raise_storage_error_quickly(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    target = make_target("s3://bucket/prefix/out.pkl")
    started = time.monotonic()
    try:
        with pytest.raises(StorageError) as info:
            target.exists()
        assert time.monotonic() - started < 10
        message = str(info.value)
        assert "s3://bucket/prefix/out.pkl" in message and "AWS_ACCESS_KEY_ID" in message
        assert "NoCredentialsError" in message
        with pytest.raises(StorageError):
            target.load()  # not OutputNotFoundError: a credential problem is not "not cached"
    finally:
        clear_fsspec_cache()


def test_unreachable_endpoint_raises_storage_error_quickly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    target = make_target("s3://bucket/out.pkl")
    started = time.monotonic()
    try:
        with pytest.raises(StorageError) as info:
            target.exists()
        assert time.monotonic() - started < 15
        assert "s3://bucket/out.pkl" in str(info.value) and "AWS_ENDPOINT_URL" in str(info.value)
        staged = target.stage(1)
        with pytest.raises(StorageError):
            target.commit(staged)
        assert not os.path.exists(staged)  # the local staged file is removed even when the upload fails
    finally:
        clear_fsspec_cache()
