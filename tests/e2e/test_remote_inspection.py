"""Looking at a workspace in an S3 bucket (moto's real S3 server): the run history and the DAG view read
it through the storage layer, as they read a local one.

Before, history listed ``log/task_params`` with ``os.listdir`` (a bucket showed "no runs") and the
tree view printed ``s3:/bucket/...`` (``os.path.normpath`` ate a slash).
"""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import luigi.configuration
import pytest
from luigi.task_register import Register

import kartcore
from kartcore.cli.tasks import inside_project
from kartcore.inspection.history import runs, task_history
from kartcore.inspection.render import render
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.view import PENDING, describe
from tests.e2e.storage_dag import Numbers, Total, build_total_in
from tests.kartcore.cli.conftest import kart, write_project
from tests.kartcore.io.s3_server import keys_in, moto_endpoint, s3_bucket

__all__ = ["moto_endpoint", "s3_bucket"]  # fixtures, used by name

pytestmark = pytest.mark.slow


def test_history_and_tree_of_a_bucket_workspace(s3_bucket: str) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    build_total_in(workspace)
    total = Total()
    output = total.output().path()
    assert output == f"{workspace}/report/total_{total.make_unique_id()}.json"

    (run,) = runs(Total)  # the workspace comes from the config: the bucket
    assert run.unique_id == total.make_unique_id()
    assert isinstance(run.processing_time, float) and run.processing_time >= 0
    assert run.finished is not None and run.finished >= run.started
    assert run.outputs == (output,) and run.cached
    assert runs(Total, workspace) == [run]
    frame = task_history(Total)
    assert frame["unique_id"].tolist() == [total.make_unique_id()] and frame["cached"].tolist() == [True]
    assert [r.unique_id for r in runs(Numbers)] == [Numbers().make_unique_id()]

    text = render(Total())
    assert f"(COMPLETE) {total.get_task_family()}[{total.make_unique_id()}]  {output}\n" in text
    assert f"s3:/{s3_bucket}" not in text

    boto3.client("s3").delete_object(Bucket=s3_bucket, Key=output.removeprefix(f"s3://{s3_bucket}/"))
    assert output.removeprefix(f"s3://{s3_bucket}/") not in keys_in(s3_bucket)
    (run,) = runs(Total)
    assert not run.cached and run.unique_id == total.make_unique_id()
    view = describe(walk_dag(Total()))[total.task_id]
    assert view.state == PENDING and view.outputs == (output,)


def test_kart_history_and_tree_commands_read_the_bucket(s3_bucket: str, tmp_path: Path) -> None:
    workspace = f"s3://{s3_bucket}/prefix"
    project = write_project(tmp_path / "toy-pipeline")
    param_ini = project / "conf" / "param.ini"
    param_ini.write_text(param_ini.read_text().replace("./resources/", workspace), encoding="utf-8")
    with inside_project(project):  # the project's package and conf/param.ini, as `python main.py` has them
        load = Register.get_task_cls("toy_pipeline.Load")()
        kartcore.build(load)
        unique_id, output = load.make_unique_id(), load.output().path()
    assert output.startswith(f"{workspace}/toy_pipeline/")
    luigi.configuration.get_config().remove_section("TaskOnKart")  # the commands must read conf/param.ini

    result = kart("history", "toy_pipeline.Load", cwd=project)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"1 run of toy_pipeline.Load recorded in {workspace}/"
    assert re.fullmatch(rf"{unique_id}  20\d\d-\d\d-\d\d \d\d:\d\d:\d\d  \d+\.\d+s +yes +size=10", lines[2])

    result = kart("tree", "toy_pipeline.Load", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"└─-(COMPLETE) toy_pipeline.Load[{unique_id}]  {output}\n")

    result = kart("show", "toy_pipeline.Load", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert re.search(rf"^  {re.escape(output)}  exists, \d+ B, 20\d\d-", result.stdout, re.MULTILINE), result.stdout
    record = f"{workspace}/log/task_params/Load_{unique_id}.pkl"
    assert re.search(rf"task_params +{re.escape(record)}  exists, ", result.stdout), result.stdout
    assert f"preview of {output}\n" in result.stdout and "missing" not in result.stdout


def test_listing_leaves_no_stale_listing_behind(s3_bucket: str) -> None:
    """s3fs answers ``exists()`` from its cached listings: an object another client writes after a listing
    must still be found (a stale cache would make a fresh output look missing and rerun it).
    """
    from kartcore.io.storage import storage_for

    directory = f"s3://{s3_bucket}/prefix/log/task_params"
    storage = storage_for(directory)
    client = boto3.client("s3")
    client.put_object(Bucket=s3_bucket, Key="prefix/log/task_params/A_1.pkl", Body=b"a")
    assert storage.list_names(directory) == ["A_1.pkl"]
    assert storage.list_names(f"s3://{s3_bucket}/prefix/log") == ["task_params"]
    assert storage.list_names(f"s3://{s3_bucket}/prefix/missing") == []
    client.put_object(Bucket=s3_bucket, Key="prefix/log/task_params/B_2.pkl", Body=b"b")
    client.put_object(Bucket=s3_bucket, Key="prefix/missing/C_3.pkl", Body=b"c")
    assert storage.exists(f"{directory}/B_2.pkl") and storage.exists(f"s3://{s3_bucket}/prefix/missing/C_3.pkl")
    assert storage.list_names(directory) == ["A_1.pkl", "B_2.pkl"]


def test_history_with_bad_credentials_fails_instead_of_showing_no_runs(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kartcore.errors import StorageError
    from tests.kartcore.io.s3_server import clear_fsspec_cache

    workspace = f"s3://{s3_bucket}/prefix"
    build_total_in(workspace)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")  # moto checks no signatures: no credentials at all is the failure
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    clear_fsspec_cache()
    with pytest.raises(StorageError) as info:
        runs(Total)
    message = str(info.value)
    assert message.startswith(f"cannot list {workspace}/log/task_params: ")
    assert "Nothing was treated as missing" in message and "AWS_ACCESS_KEY_ID" in message
