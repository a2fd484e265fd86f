"""``kart clean`` on a workspace in an S3 bucket (moto's real S3 server): exactly the objects the DAG does
not need go, nothing outside the workspace's prefix is touched, a dry run deletes nothing, and a failed
listing stops the command before anything is deleted.

Before, a bucket workspace was skipped ("not a local directory").
"""

from __future__ import annotations

from pathlib import Path

import boto3
import luigi.configuration
import pytest
from luigi.task_register import Register

import kartcore
from kartcore.cli.tasks import inside_project
from kartcore.errors import StorageError
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.workspace import inspect, remove_unneeded
from kartcore.io.storage import storage_for
from tests.e2e.storage_dag import RUNS, Numbers, Total, build_total_in
from tests.kartcore.cli.conftest import kart, write_project
from tests.kartcore.io.s3_server import clear_fsspec_cache, keys_in, moto_endpoint, s3_bucket

__all__ = ["moto_endpoint", "s3_bucket"]  # fixtures, used by name

pytestmark = pytest.mark.slow

#: Objects a clean must never touch: outside the prefix, a sibling sharing its first letters, the prefix's own key.
OUTSIDE = ("other/keep.pkl", "prefix2/x.pkl", "prefix")


def record_kinds(keys: list[str]) -> int:
    """How many kinds of run record the keys hold (``prefix/log/<kind>/...``): each task that ran has one of each."""
    return len({key.split("/")[2] for key in keys if key.startswith("prefix/log/")})


def put(bucket: str, *keys: str) -> None:
    client = boto3.client("s3")
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=b"stale")


def test_clean_removes_exactly_the_stale_objects_of_the_prefix(s3_bucket: str) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    assert build_total_in(workspace) == ["Numbers", "Total"]
    needed = keys_in(s3_bucket)
    records = record_kinds(needed)
    assert len(needed) == 2 + 2 * records
    kartcore.build(Numbers(size=3))  # an old output of another parameter value, with its records
    put(s3_bucket, "prefix/log/task_params/Total_0123.pkl", "prefix/report/.total.json.kart-tmp-1-abc", *OUTSIDE)
    stale = sorted(set(keys_in(s3_bucket)) - set(needed) - set(OUTSIDE))
    assert len(stale) == 1 + records + 2

    before = keys_in(s3_bucket)
    report = inspect(walk_dag(Total()))
    assert report.workspaces == [workspace]
    assert report.unneeded == [f"s3://{s3_bucket}/{key}" for key in stale]
    assert report.kept == [f"s3://{s3_bucket}/{key}" for key in needed]
    assert report.unneeded_bytes() > 0
    assert keys_in(s3_bucket) == before, "looking deletes nothing"

    assert remove_unneeded(report) == report.unneeded
    assert keys_in(s3_bucket) == sorted([*needed, *OUTSIDE])
    RUNS.clear()
    assert kartcore.build(Total()) == {"total": 6}
    assert RUNS == []  # everything the DAG needs is still in the bucket
    assert keys_in(s3_bucket) == sorted([*needed, *OUTSIDE])
    assert inspect(walk_dag(Total())).unneeded == []


def test_listing_leaves_no_stale_listing_of_subdirectories_behind(s3_bucket: str) -> None:
    """s3fs's ``find`` caches every "subdirectory" listing it sees and ``exists()`` answers from them: an
    object another client writes there afterwards must still be found (else a fresh output looks missing).
    """
    workspace = f"s3://{s3_bucket}/prefix"
    build_total_in(workspace)
    storage = storage_for(workspace)
    assert len(storage.list_files(workspace)) == 2 + 2 * record_kinds(keys_in(s3_bucket))
    put(s3_bucket, "prefix/log/task_params/Late_1.pkl", "prefix/report/late.json")
    assert storage.exists(f"{workspace}/log/task_params/Late_1.pkl")
    assert storage.exists(f"{workspace}/report/late.json")
    assert storage.list_files(f"{workspace}/report") == [
        f"{workspace}/report/late.json",
        Total().output().path(),
    ]
    assert storage.list_files(f"s3://{s3_bucket}/missing") == []
    assert storage.list_files(Total().output().path()) == []  # s3fs's find answers an object with itself
    put(s3_bucket, "prefix2/x.pkl")
    assert f"s3://{s3_bucket}/prefix2/x.pkl" not in storage.list_files(workspace)


def bucket_project(tmp_path: Path, workspace: str) -> tuple[Path, list[str]]:
    """The toy project with its workspace in the bucket, Report built (and Load(size=3), not in Report's DAG).

    Returns the project and the keys Load(size=3) wrote.
    """
    project = write_project(tmp_path / "toy-pipeline")
    param_ini = project / "conf" / "param.ini"
    param_ini.write_text(param_ini.read_text().replace("./resources/", workspace + "/"), encoding="utf-8")
    bucket = workspace.removeprefix("s3://").split("/")[0]
    with inside_project(project):  # the project's package and conf/param.ini, as `python main.py` has them
        kartcore.build(Register.get_task_cls("toy_pipeline.Report")())
        needed = keys_in(bucket)
        kartcore.build(Register.get_task_cls("toy_pipeline.Load")(size=3))
    luigi.configuration.get_config().remove_section("TaskOnKart")  # the commands must read conf/param.ini
    return project, sorted(set(keys_in(bucket)) - set(needed))


def test_kart_clean_a_bucket_workspace(s3_bucket: str, tmp_path: Path) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    project, old = bucket_project(tmp_path, workspace)
    records = record_kinds(old)
    assert len(old) == 1 + records
    put(s3_bucket, "prefix/log/task_params/Report_0123.pkl", *OUTSIDE)
    stale = sorted([*old, "prefix/log/task_params/Report_0123.pkl"])
    before = keys_in(s3_bucket)
    kept = 4 + 4 * records
    assert len(before) == kept + len(stale) + len(OUTSIDE)
    client = boto3.client("s3")
    size = sum(client.head_object(Bucket=s3_bucket, Key=key)["ContentLength"] for key in stale)
    shown = f"{size} B" if size < 1024 else f"{size / 1024:.1f} KiB"

    result = kart("clean", "toy_pipeline.Report", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"would remove {len(stale)} files ({shown}) from {workspace}/:\n"
        + "".join(f"  s3://{s3_bucket}/{key}\n" for key in stale)
        + f"keeping {kept} files. Run again with --no-dry-run to remove them.\n"
    )
    assert keys_in(s3_bucket) == before, "a dry run deletes nothing"

    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "".join(f"removed s3://{s3_bucket}/{key}\n" for key in stale)
        + f"removed {len(stale)} files ({shown}); kept {kept}\n"
    )
    assert keys_in(s3_bucket) == sorted(set(before) - set(stale))
    assert set(OUTSIDE) <= set(keys_in(s3_bucket))
    again = kart("clean", "toy_pipeline.Report", cwd=project)
    assert again.stdout == f"nothing to clean: all {kept} files in {workspace}/ are needed\n"
    tree = kart("tree", "toy_pipeline.Report", cwd=project)
    assert tree.stdout.splitlines()[-1] == "4 tasks: 4 complete, 0 pending"


def test_a_failed_listing_deletes_nothing(s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    project, old = bucket_project(tmp_path, workspace)
    before = keys_in(s3_bucket)
    with monkeypatch.context() as patch:
        patch.delenv("AWS_ACCESS_KEY_ID")  # moto checks no signatures: no credentials at all is the failure
        patch.delenv("AWS_SECRET_ACCESS_KEY")
        clear_fsspec_cache()
        result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=project)
        with pytest.raises(StorageError):
            storage_for(workspace).list_files(workspace)
    clear_fsspec_cache()
    assert result.exit_code == 2
    assert f"cannot list {workspace} recursively: NoCredentialsError" in result.stderr
    assert "Nothing was treated as missing" in result.stderr
    assert result.stdout == ""
    assert keys_in(s3_bucket) == before
    assert set(old) <= set(before)
