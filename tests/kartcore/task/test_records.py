"""The run records (kartcore/task/records.py): gokart's pickles unchanged, plus one JSON run record.

The JSON record's keys are a contract other tools read (``kart history``, ``kart show``), so the test
spells every key and type out; ``read_run_record`` must answer without unpickling anything.
"""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import FormatError
from kartcore.task.naming import log_path
from kartcore.task.records import read_run_record

KEYS = {
    "format",
    "task_family",
    "unique_id",
    "params",
    "started_at",
    "finished_at",
    "processing_time",
    "random_seed",
    "seed_methods",
    "output_paths",
    "module_versions",
    "fingerprints",
}


class Recorded(kartcore.TaskOnKart[str]):
    task_namespace = "records"
    text = luigi.Parameter(default="é")
    size = luigi.IntParameter(default=3)

    def run(self) -> None:
        self.dump(self.text * self.size)


def _record_path(task: kartcore.TaskOnKart) -> Path:
    return Path(log_path(task.workspace_directory, "run_record", type(task).__name__, task.make_unique_id(), ".json"))


def test_the_json_run_record_says_what_the_pickled_records_say(workspace: Path) -> None:
    task = Recorded(fix_random_seed_value=11)
    kartcore.build(task)
    uid = task.make_unique_id()
    path = _record_path(task)
    assert path.resolve() == workspace / "log" / "run_record" / f"Recorded_{uid}.json"
    record = json.loads(path.read_bytes().decode("utf-8"))
    assert set(record) == KEYS
    assert record["format"] == 1
    assert record["task_family"] == "records.Recorded" and record["unique_id"] == uid
    assert record["params"] == {"text": "é", "size": "3"} == task.to_str_params(only_significant=True)
    started = datetime.datetime.fromisoformat(record["started_at"])
    finished = datetime.datetime.fromisoformat(record["finished_at"])
    assert record["started_at"].endswith("+00:00") and record["finished_at"].endswith("+00:00")
    assert started <= finished
    log = workspace / "log"
    assert record["processing_time"] == pickle.loads((log / "processing_time" / f"Recorded_{uid}.pkl").read_bytes())
    assert isinstance(record["processing_time"], float) and record["processing_time"] >= 0
    seed = pickle.loads((log / "random_seed" / f"Recorded_{uid}.pkl").read_bytes())
    assert record["random_seed"] == seed["seed"] == 11 and record["seed_methods"] == seed["seed_methods"]
    assert record["output_paths"] == [task.output().path()]
    assert record["module_versions"] == (log / "module_versions" / f"Recorded_{uid}.txt").read_text().splitlines()
    assert all("==" in line for line in record["module_versions"])
    assert read_run_record(task) == record == read_run_record(path) == read_run_record(str(path))


def test_the_gokart_records_keep_their_names(workspace: Path) -> None:
    task = Recorded()
    kartcore.build(task)
    uid = task.make_unique_id()
    names = sorted(str(p.relative_to(workspace / "log")) for p in (workspace / "log").rglob("*") if p.is_file())
    assert names == sorted(
        f"{kind}/Recorded_{uid}{ext}"
        for kind, ext in [
            ("task_params", ".pkl"),
            ("random_seed", ".pkl"),
            ("module_versions", ".txt"),
            ("processing_time", ".pkl"),
            ("task_log", ".pkl"),
            ("run_record", ".json"),
        ]
    )


def test_no_run_record_without_supplementary_log_files(workspace: Path) -> None:
    task = Recorded(should_dump_supplementary_log_files=False)
    kartcore.build(task)
    assert not _record_path(task).exists()
    assert read_run_record(task) is None


def test_read_run_record_never_unpickles(tmp_path: Path) -> None:
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled')",))

    path = tmp_path / "record.json"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(FormatError, match="not UTF-8 JSON"):
        read_run_record(path)
    path.write_text("[1, 2]")
    with pytest.raises(FormatError, match="not an object"):
        read_run_record(path)
    assert read_run_record(tmp_path / "missing.json") is None
