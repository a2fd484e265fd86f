"""Tasks whose outputs live in memory: no file in the workspace, one process only (kartcore/task/memory_outputs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, InMemoryTargetError
from kartcore.io.in_memory import InMemoryRepository, make_in_memory_target
from kartcore.task import memory_outputs
from tests.conftest import files_under

#: The tasks, as a module: imported here and by the second process of the test that needs one.
PIPELINE = textwrap.dedent(
    """
    import luigi
    import kartcore
    from kartcore.io.in_memory import make_in_memory_target

    RUNS = []


    class Memo(kartcore.TaskOnKart):
        task_namespace = "memo"
        keep_in_memory = luigi.BoolParameter(default=True, significant=False)

        def output(self):
            file_target = self.make_target()
            return make_in_memory_target(file_target.path()) if self.keep_in_memory else file_target


    class Numbers(Memo):
        size = luigi.IntParameter(default=3)

        def run(self):
            RUNS.append(self.get_task_family())
            self.dump(list(range(self.size)))


    class Total(Memo):
        numbers = kartcore.TaskInstanceParameter(default=Numbers())

        def run(self):
            RUNS.append(self.get_task_family())
            self.dump(sum(self.load("numbers")))


    class HalfDone(Memo):
        def run(self):
            self.dump("staged, never published")
            raise RuntimeError("failed after dumping")


    class Mixed(kartcore.TaskOnKart):
        task_namespace = "memo"

        def output(self):
            memo = make_in_memory_target(f"mixed-{self.make_unique_id()}")
            return {"memo": memo, "file": self.make_target("mixed.pkl")}

        def run(self):
            self.dump({"big": "object"}, "memo")
            self.dump("on disk", "file")
    """
)


def written(root: Path) -> list[str]:
    """Files under ``root`` other than the test's own code (``code/``, ``main.py``)."""
    return [name for name in files_under(root) if not name.startswith("code/") and name != "main.py"]


@pytest.fixture
def pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The pipeline module, importable in this process and (from ``tmp_path/code``) in a second one."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "memo_pipeline.py").write_text(PIPELINE)
    monkeypatch.syspath_prepend(str(code))
    sys.modules.pop("memo_pipeline", None)
    InMemoryRepository().clear()
    import memo_pipeline

    yield memo_pipeline
    InMemoryRepository().clear()
    sys.modules.pop("memo_pipeline", None)


def test_a_dag_in_memory_runs_without_writing_any_file(pipeline: object, tmp_path: Path) -> None:
    total = pipeline.Total()  # type: ignore[attr-defined]
    assert not total.complete()
    assert kartcore.build(total) == 3
    assert total.complete() and pipeline.Numbers().complete()  # type: ignore[attr-defined]
    assert pipeline.RUNS == ["memo.Numbers", "memo.Total"]  # type: ignore[attr-defined]
    assert written(tmp_path) == []  # no output, no run record, no temp file
    assert kartcore.build(pipeline.Total()) == 3  # type: ignore[attr-defined]
    assert pipeline.RUNS == ["memo.Numbers", "memo.Total"]  # type: ignore[attr-defined]  # cached in memory


def test_ids_and_keys_are_those_of_the_same_task_on_disk(pipeline: object, tmp_path: Path) -> None:
    in_memory = pipeline.Total(numbers=pipeline.Numbers(size=4))  # type: ignore[attr-defined]
    numbers_on_disk = pipeline.Numbers(size=4, keep_in_memory=False)  # type: ignore[attr-defined]
    on_disk = pipeline.Total(numbers=numbers_on_disk, keep_in_memory=False)  # type: ignore[attr-defined]
    assert in_memory.make_unique_id() == on_disk.make_unique_id()
    assert in_memory.output().path() == on_disk.output().path()
    assert kartcore.build(in_memory) == kartcore.build(on_disk) == 6
    assert Path(on_disk.output().path()).is_file()  # the same name, as a file, for the disk variant


def test_a_second_process_does_not_see_the_values(pipeline: object, tmp_path: Path) -> None:
    kartcore.build(pipeline.Total())  # type: ignore[attr-defined]
    script = "import memo_pipeline as p, kartcore\nprint(p.Total().complete(), kartcore.build(p.Total()), p.RUNS)"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "code")}
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, cwd=tmp_path, env=env, text=True, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "3", "['memo.Numbers',", "'memo.Total']"]  # it ran both again
    assert written(tmp_path) == []


def test_a_run_that_fails_after_dumping_publishes_nothing(pipeline: object, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="failed after dumping"):
        kartcore.build(pipeline.HalfDone())  # type: ignore[attr-defined]
    assert InMemoryRepository().empty()
    assert not pipeline.HalfDone().complete()  # type: ignore[attr-defined]
    assert written(tmp_path) == []


def test_a_task_with_a_file_output_too_keeps_its_records(pipeline: object, tmp_path: Path) -> None:
    mixed = pipeline.Mixed()  # type: ignore[attr-defined]
    assert kartcore.build(mixed) == {"memo": {"big": "object"}, "file": "on disk"}
    written = files_under(tmp_path / "resources")
    assert f"mixed_{mixed.make_unique_id()}.pkl" in written
    assert f"log/run_record/Mixed_{mixed.make_unique_id()}.json" in written
    assert not any("mixed-" in name for name in written)


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_processes_are_refused_naming_task_key_and_fix(pipeline: object, tmp_path: Path, workers: int) -> None:
    numbers = pipeline.Numbers(size=workers)  # type: ignore[attr-defined]
    with pytest.raises(BuildError) as raised:
        kartcore.build(pipeline.Total(numbers=numbers), workers=workers)  # type: ignore[attr-defined]
    message = str(raised.value)
    assert f"memo.Numbers[{numbers.make_unique_id()}] keeps its output '{numbers.output().path()}' in memory" in message
    assert "runs in a separate task process (--workers > 1" in message and "--workers 1" in message
    assert [failure.task.get_task_family() for failure in raised.value.failures] == ["memo.Numbers"]
    assert "kartcore.errors.InMemoryTargetError" in raised.value.failures[0].traceback  # it failed in the child
    assert written(tmp_path) == []
    assert InMemoryRepository().empty()


def test_the_command_line_with_workers_exits_1_naming_the_reason(pipeline: object, tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import kartcore\nimport memo_pipeline  # noqa: F401\n\nkartcore.run()\n")
    command = [sys.executable, "main.py", "memo.Total", "--local-scheduler", "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "code")}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "in memory, but runs in a separate task process" in result.stderr.strip().splitlines()[-1]
    assert written(tmp_path) == []
    ok = subprocess.run([*command[:-2]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr  # the same command in one process works, and writes nothing
    assert written(tmp_path) == []


def test_records_are_kept_unless_every_output_is_in_memory(pipeline: object) -> None:
    assert not memory_outputs.keeps_records(pipeline.Total())  # type: ignore[attr-defined]
    assert memory_outputs.keeps_records(pipeline.Total(keep_in_memory=False))  # type: ignore[attr-defined]
    assert memory_outputs.keeps_records(pipeline.Mixed())  # type: ignore[attr-defined]
    assert not memory_outputs.keeps_records(pipeline.Mixed(should_dump_supplementary_log_files=False))  # type: ignore[attr-defined]


class _OnDask(kartcore.TaskOnKart):
    def output(self) -> object:
        return make_in_memory_target("on-dask")

    def run(self) -> None:
        self.dump("never kept")


@pytest.mark.slow
def test_a_dask_worker_is_refused_too() -> None:
    distributed = pytest.importorskip("distributed")
    task = _OnDask()
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        found = client.submit(_refusal, task, pure=False).result(timeout=60)
    assert found.startswith(
        f"_OnDask[{task.make_unique_id()}] keeps its output 'on-dask' in memory, but runs in a Dask"
    )
    memory_outputs.check_runs_here(task)  # here, in the scheduling process, it may run


def _refusal(task: luigi.Task) -> str:
    try:
        memory_outputs.check_runs_here(task)
    except InMemoryTargetError as exc:
        return str(exc)
    return "not refused"
