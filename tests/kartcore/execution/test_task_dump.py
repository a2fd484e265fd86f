"""build(task_dump_config=...) (kartcore/execution/task_dump.py): the DAG shown or saved before the build, as gokart."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import UsageError
from kartcore.execution.task_dump import TaskDumpConfig, TaskDumpMode, TaskDumpOutputType, process_task_info

# The unique id of a bare TaskOnKart: gokart names the task_info files with it (tests/compat golden value).
BARE_ID = "7757badf81370beccb26f204c5bddba5"
RAN: list[str] = []


class DumpLeaf(kartcore.TaskOnKart[str]):
    task_namespace = "task_dump"
    p = luigi.IntParameter(default=1)

    def run(self) -> None:
        RAN.append("leaf")
        self.dump("leaf")


class DumpRoot(kartcore.TaskOnKart[str]):
    task_namespace = "task_dump"

    def requires(self) -> DumpLeaf:
        return DumpLeaf()

    def run(self) -> None:
        self.dump(self.load() + "+root")


def _config(mode: TaskDumpMode, output: TaskDumpOutputType) -> TaskDumpConfig:
    return TaskDumpConfig(mode=mode, output_type=output)


def test_the_default_dumps_nothing(workspace: Path) -> None:
    assert kartcore.build(DumpRoot(), task_dump_config=TaskDumpConfig()) == "leaf+root"
    assert not (workspace / "log" / "task_info").exists()


def test_tree_dump_writes_the_tree_before_the_build(workspace: Path) -> None:
    root = DumpRoot()
    assert kartcore.build(root, task_dump_config=_config(TaskDumpMode.TREE, TaskDumpOutputType.DUMP)) == "leaf+root"
    text = (workspace / "log" / "task_info" / f"DumpRoot_{BARE_ID}.txt").read_text()
    assert f"(PENDING) DumpRoot[{root.make_unique_id()}]" in text  # the state before the build
    assert f"(PENDING) DumpLeaf[{DumpLeaf().make_unique_id()}]" in text


def test_table_dump_writes_a_data_frame_with_gokarts_columns(workspace: Path) -> None:
    kartcore.build(DumpLeaf())
    kartcore.build(DumpRoot(), task_dump_config=_config(TaskDumpMode.TABLE, TaskDumpOutputType.DUMP))
    with open(workspace / "log" / "task_info" / f"DumpRoot_{BARE_ID}.pkl", "rb") as file:
        table = pickle.load(file)
    assert list(table.columns) == [
        "name", "unique_id", "output_paths", "params", "processing_time", "is_complete", "task_log", "requires",
    ]  # fmt: skip
    rows = table.to_dict("records")
    assert [row["name"] for row in rows] == ["DumpRoot", "DumpLeaf"]
    assert [row["is_complete"] for row in rows] == ["PENDING", "COMPLETE"]
    assert rows[1]["params"] == {"p": "1"}
    assert rows[0]["requires"] == [("DumpLeaf", DumpLeaf().make_unique_id())]
    assert rows[1]["output_paths"] == [DumpLeaf().output().path()]
    assert rows[1]["processing_time"].endswith("s")


@pytest.mark.parametrize("mode", [TaskDumpMode.TREE, TaskDumpMode.TABLE])
def test_print_logs_at_info_when_the_build_log_level_allows(
    mode: TaskDumpMode, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(mode, TaskDumpOutputType.PRINT)
    with caplog.at_level(logging.INFO, logger="kartcore.execution.task_dump"):
        kartcore.build(DumpRoot(), task_dump_config=config, log_level=logging.INFO)
    assert DumpRoot().make_unique_id() in caplog.text
    caplog.clear()
    RAN.clear()
    kartcore.build(DumpRoot(), task_dump_config=config)  # the default ERROR hides it, as in gokart
    assert DumpRoot().make_unique_id() not in caplog.text


@pytest.mark.parametrize(
    "config",
    [
        _config(TaskDumpMode.TREE, TaskDumpOutputType.NONE),
        _config(TaskDumpMode.NONE, TaskDumpOutputType.DUMP),
        TaskDumpConfig(mode="tree", output_type="dump"),  # type: ignore[arg-type]
    ],
)
def test_an_incomplete_config_is_refused_before_anything_runs(config: TaskDumpConfig, workspace: Path) -> None:
    RAN.clear()
    with pytest.raises(UsageError, match="unsupported TaskDumpConfig"):
        kartcore.build(DumpRoot(), task_dump_config=config)
    assert RAN == []
    with pytest.raises(ValueError):  # UsageError is a ValueError, as gokart's
        process_task_info(DumpRoot(), config)
