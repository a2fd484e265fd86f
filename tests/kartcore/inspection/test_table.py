"""kartcore/inspection/table.py: the DAG as rows (gokart's make_task_info_as_table)."""

from __future__ import annotations

import luigi

import kartcore
from kartcore.inspection.table import RequiredTask, make_task_info_as_table, task_info_rows


class TablePlain(luigi.ExternalTask):
    name = luigi.Parameter(default="x")

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget("plain.txt")


class TableLeaf(kartcore.TaskOnKart[str]):
    task_namespace = "table"

    def run(self) -> None:
        self.dump("leaf")


class TableRoot(kartcore.TaskOnKart[str]):
    task_namespace = "table"

    def requires(self) -> list[luigi.Task]:
        return [TableLeaf(), TablePlain(), TableLeaf()]

    def run(self) -> None:
        self.dump("root")


def test_each_task_once_root_first_with_its_requirements() -> None:
    rows = task_info_rows(TableRoot())
    assert [row["name"] for row in rows] == ["TableRoot", "TableLeaf", "TablePlain"]
    assert rows[0]["requires"] == [
        RequiredTask("TableLeaf", TableLeaf().make_unique_id()),
        RequiredTask("TablePlain", TablePlain().task_id),
        RequiredTask("TableLeaf", TableLeaf().make_unique_id()),
    ]
    plain = rows[2]
    assert (plain["output_paths"], plain["params"], plain["processing_time"]) == (
        ["plain.txt"],
        {"name": "x"},
        "unknown",
    )
    assert {row["is_complete"] for row in rows} == {"PENDING"}


def test_ignored_task_names_are_left_out() -> None:
    table = make_task_info_as_table(TableRoot(), ignore_task_names=["TablePlain"])
    assert list(table["name"]) == ["TableRoot", "TableLeaf"]
    assert [name for name, _ in table["requires"][0]] == ["TableLeaf", "TableLeaf"]
