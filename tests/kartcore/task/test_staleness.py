"""Staleness of one complete task (kartcore/task/staleness.py) and what its run record holds for it."""

from __future__ import annotations

import json
from pathlib import Path

import luigi

import kartcore
from kartcore.io.storage import display_path
from kartcore.task import records
from kartcore.task.staleness import FRESH, STALE, UNKNOWN, verdict
from tests.staleness_pipeline import PipelineFile


def record_of(task: kartcore.TaskOnKart) -> Path:
    return Path(records.record_target(task, records.RUN_RECORD, ".json").path())


def test_the_run_record_holds_the_code_fingerprint_and_every_consumed_input(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    report = pipeline.module.Report()
    kartcore.build(report)
    double = pipeline.module.Double()
    fingerprints = json.loads(record_of(double).read_text())["fingerprints"]
    assert fingerprints["scheme"] == 1
    assert list(fingerprints["code"]["classes"]) == [f"{pipeline.name}.Double", f"{pipeline.name}.Base"]
    assert fingerprints["code"]["problem"] is None
    load = pipeline.module.Load()
    load_path = load.output().path()
    (consumed,) = fingerprints["inputs"]
    stat = Path(load_path).stat()
    assert consumed["path"] == load_path and consumed["size"] == stat.st_size
    assert abs(consumed["mtime"] - stat.st_mtime) < 1e-5
    assert consumed["writer"] == {
        "task_family": pipeline.family("Load"),
        "unique_id": load.make_unique_id(),
        "code": json.loads(record_of(load).read_text())["fingerprints"]["code"]["digest"],
    }
    report_inputs = json.loads(record_of(report).read_text())["fingerprints"]["inputs"]
    assert sorted(entry["writer"]["task_family"] for entry in report_inputs) == [
        pipeline.family("Side"),
        pipeline.family("Total"),
    ]


def test_an_input_declared_but_read_another_way_is_recorded_too(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    module = pipeline.edit("self.dump(len(self.load()))", "self.dump(len(open(self.input().path(), 'rb').read()))")
    kartcore.build(module.Side())
    (consumed,) = json.loads(record_of(module.Side()).read_text())["fingerprints"]["inputs"]
    assert consumed["path"] == module.Load().output().path()


def test_fresh_until_its_code_changes_then_stale_naming_the_class(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Total())
    assert verdict(pipeline.module.Double()).kind == FRESH
    module = pipeline.edit(
        "        self.dump([x * 2", "        # doubled, as this comment says\n        self.dump([x  *  2"
    )
    assert verdict(module.Double()).kind == FRESH
    module = pipeline.edit("x  *  2", "x + x")
    found = verdict(module.Double())
    assert found.kind == STALE
    assert found.reasons == (f"code of {pipeline.name}.Double changed",)
    assert verdict(module.Load()).kind == FRESH  # the others are judged by the plan (upstream staleness)


def test_a_change_to_a_project_base_class_makes_its_subclasses_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Double())
    module = pipeline.edit('task_namespace = "', 'retries = 2\n    task_namespace = "')
    found = verdict(module.Load())
    assert found.kind == STALE and found.reasons == (f"code of {pipeline.name}.Base changed",)


def test_an_input_rewritten_after_it_was_consumed_makes_the_consumer_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Double())
    kartcore.build(pipeline.module.Load(rerun=True))
    found = verdict(pipeline.module.Double())
    assert found.kind == STALE
    shown = display_path(pipeline.module.Load().output().path())
    assert found.reasons == (f"input {shown} rewritten",) and shown.startswith("resources/")


def test_a_record_without_fingerprints_older_kartcore_is_unknown_not_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Double())
    path = record_of(pipeline.module.Double())
    record = json.loads(path.read_text())
    del record["fingerprints"]
    path.write_text(json.dumps(record))
    module = pipeline.edit("x * 2", "x + x")  # even with its code changed: there is nothing to compare
    found = verdict(module.Double())
    assert found.kind == UNKNOWN
    assert found.reasons == ("no fingerprint in its run record (written by an older kartcore)",)


def test_no_json_run_record_as_gokart_writes_is_unknown(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Double())
    record_of(pipeline.module.Double()).unlink()
    found = verdict(pipeline.module.Double())
    assert found.kind == UNKNOWN and "no JSON run record" in found.reasons[0]


def test_another_scheme_or_a_damaged_fingerprint_is_unknown(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Double())
    path = record_of(pipeline.module.Double())
    record = json.loads(path.read_text())
    for fingerprints, reason in (
        ({**record["fingerprints"], "scheme": 99}, "fingerprint of another scheme (99) in its run record"),
        ({**record["fingerprints"], "inputs": [{"size": 1}]}, "damaged fingerprint in its run record"),
        ({**record["fingerprints"], "code": "x"}, "damaged fingerprint in its run record"),
    ):
        path.write_text(json.dumps({**record, "fingerprints": fingerprints}))
        assert verdict(pipeline.module.Double()).reasons == (reason,)


class RawData(luigi.ExternalTask):
    """A data file the pipeline does not write: a plain luigi task naming it."""

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget("data/raw.csv")


class CountLines(kartcore.TaskOnKart[int]):
    task_namespace = "staleness_external"

    def requires(self) -> RawData:
        return RawData()

    def run(self) -> None:
        with self.input().open("r") as file:
            self.dump(len(file.readlines()))


def test_an_external_data_file_rewritten_after_the_run_makes_its_consumer_stale(tmp_path: Path) -> None:
    data = tmp_path / "data" / "raw.csv"
    data.parent.mkdir()
    data.write_text("a\nb\n", encoding="utf-8")
    assert kartcore.build(CountLines()) == 2
    (consumed,) = json.loads(record_of(CountLines()).read_text())["fingerprints"]["inputs"]
    assert consumed["path"] == "data/raw.csv"
    assert consumed["writer"] == {"task_family": "RawData", "unique_id": RawData().task_id, "code": None}
    assert verdict(CountLines()).kind == FRESH
    data.write_text("a\nb\nc\n", encoding="utf-8")
    assert verdict(CountLines()).reasons == ("input data/raw.csv rewritten",)
