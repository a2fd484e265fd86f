"""A DAG whose workspace is an S3 bucket (moto's real S3 server): outputs and run records land there, a
second build reuses them, and a failed run publishes no output.
"""

from __future__ import annotations

import pytest

import kartcore
from kartcore.errors import BuildError
from tests.e2e.storage_dag import RECORDS, RUNS, Broken, Numbers, Total, build_total_in, use_workspace
from tests.kartcore.io.s3_server import keys_in, moto_endpoint, s3_bucket

__all__ = ["moto_endpoint", "s3_bucket"]  # fixtures, used by name

pytestmark = pytest.mark.slow


def test_build_writes_outputs_and_records_to_the_bucket_and_reuses_them(s3_bucket: str) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    assert build_total_in(workspace) == ["Numbers", "Total"]
    total, numbers = Total(), Numbers()
    assert total.output().path() == f"{workspace}/report/total_{total.make_unique_id()}.json"
    keys = keys_in(s3_bucket)
    expected = {
        numbers.output().path().removeprefix(f"s3://{s3_bucket}/"),
        total.output().path().removeprefix(f"s3://{s3_bucket}/"),
    }
    for task in (numbers, total):
        for kind in RECORDS:
            extension = {"module_versions": ".txt", "run_record": ".json"}.get(kind, ".pkl")
            expected.add(f"prefix/log/{kind}/{type(task).__name__}_{task.make_unique_id()}{extension}")
    assert set(keys) == expected
    assert not any(".kart-tmp-" in key for key in keys)
    assert total.get_task_log()["file_path"] == [total.output().path()]
    assert isinstance(total.get_processing_time(), float)

    RUNS.clear()
    assert kartcore.build(Total()) == {"total": 6}
    assert RUNS == []  # everything was found in the bucket
    assert keys_in(s3_bucket) == keys


def test_failed_run_publishes_no_output(s3_bucket: str) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    use_workspace(workspace)
    RUNS.clear()
    with pytest.raises(BuildError) as info:
        kartcore.build(Broken())
    assert isinstance(info.value.exception, RuntimeError)
    assert RUNS == ["Numbers", "Broken"]
    keys = keys_in(s3_bucket)
    broken = Broken()
    assert broken.output().path().removeprefix(f"s3://{s3_bucket}/") not in keys
    assert Numbers().output().path().removeprefix(f"s3://{s3_bucket}/") in keys
    assert not any(key.startswith("prefix/log/task_log/Broken_") for key in keys)
    assert not any(".kart-tmp-" in key for key in keys)


def test_bad_credentials_fail_the_build_instead_of_rerunning(s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.kartcore.io.s3_server import clear_fsspec_cache

    use_workspace(f"s3://{s3_bucket}/prefix")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    clear_fsspec_cache()
    RUNS.clear()
    with pytest.raises(BuildError):
        kartcore.build(Total())  # complete() raised StorageError: luigi refuses to schedule, nothing reruns
    assert RUNS == []
