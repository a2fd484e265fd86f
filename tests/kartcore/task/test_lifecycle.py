"""The run life cycle (kartcore/task/lifecycle.py): nothing is published unless every step succeeded.

luigi swallows exceptions raised in event handlers, so a failing step there would let ``run()`` go on
and its dump land in the final file. Each test here breaks one step (the seed, the start records, the
processing time, the task log, the run record) and checks that the task fails, ``run()`` did not start
when the failure came before it, nothing was published and the next build does not find a result.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, TaskDefinitionError
from kartcore.io import Target
from tests.conftest import files_under, no_temp_files

STARTED: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_runs() -> None:
    STARTED.clear()


class HalfDone(kartcore.TaskOnKart[str]):
    """Dumps, then fails unless told to finish (an insignificant parameter: the same unique id)."""

    task_namespace = "lifecycle"
    finish = luigi.BoolParameter(default=False, significant=False)

    def run(self) -> None:
        STARTED.append(os.environ.get("KART_TEST_MARK", "run"))
        self.dump("half done")
        if not self.finish:
            raise RuntimeError("run() failed after dumping")


class Finishes(kartcore.TaskOnKart[str]):
    task_namespace = "lifecycle"
    text = luigi.Parameter(default="done")

    def run(self) -> None:
        STARTED.append("run")
        self.dump(self.text)


class NeedsHalfDone(kartcore.TaskOnKart[str]):
    task_namespace = "lifecycle"

    def requires(self):
        return HalfDone(fix_random_seed_value=-1)

    def run(self) -> None:
        self.dump(self.load())


def _assert_nothing_published(workspace: Path, task: kartcore.TaskOnKart) -> None:
    assert not Path(task.output().path()).exists()
    assert not task.complete()
    assert not workspace.exists() or no_temp_files(workspace)
    records = workspace / "log"
    assert not records.is_dir() or [p for p in files_under(records) if task.make_unique_id() in p] == []


def test_a_seed_numpy_refuses_fails_the_task_before_run_and_publishes_nothing(workspace: Path) -> None:
    task = HalfDone(fix_random_seed_value=-1)
    for _ in range(2):  # the second build must not find a half-done result either
        with pytest.raises(BuildError) as info:
            kartcore.build(task)
        message = str(info.value.exception)
        assert "random seed" in message and "-1" in message and "fix_random_seed_value" in message
        assert task.get_task_family() in message
        assert STARTED == []
        _assert_nothing_published(workspace, task)
        luigi.task_register.Register.clear_instance_cache()


def test_an_unwritable_log_directory_fails_the_task_before_run(workspace: Path) -> None:
    workspace.mkdir()
    (workspace / "log").write_text("a file where the log directory should be")
    task = HalfDone(finish=True)
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert "log" in str(info.value.exception)
    assert STARTED == []
    assert not Path(task.output().path()).exists()
    assert no_temp_files(workspace)


def test_forked_workers_fail_the_task_before_run_and_publish_nothing(workspace: Path) -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(NeedsHalfDone(), workers=2)
    assert "fix_random_seed_value" in str(info.value)
    _assert_nothing_published(workspace, HalfDone(fix_random_seed_value=-1))
    assert not Path(NeedsHalfDone().output().path()).exists()


def test_command_line_exits_one_before_run_and_publishes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pipeline.py").write_text(
        textwrap.dedent(
            """
            import kartcore

            class Marked(kartcore.TaskOnKart):
                task_namespace = "pipeline"

                def run(self):
                    open("run-started", "w").close()
                    self.dump("half done")
                    raise RuntimeError("run() failed after dumping")
            """
        )
    )
    (tmp_path / "main.py").write_text(
        "import kartcore\nimport pipeline\n\nif __name__ == '__main__':\n    kartcore.run()\n"
    )
    args = ["main.py", "pipeline.Marked", "--local-scheduler", "--fix-random-seed-value=-1"]
    result = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "fix_random_seed_value" in result.stderr
    assert not (tmp_path / "run-started").exists()
    workspace = tmp_path / "resources"
    assert not workspace.exists() or [p for p in files_under(workspace) if not p.startswith("log/")] == []
    assert not workspace.exists() or no_temp_files(workspace)


@pytest.mark.parametrize("kind", ["processing_time", "task_log", "run_record"])
def test_a_record_that_cannot_be_written_after_run_fails_the_task(workspace: Path, kind: str) -> None:
    (workspace / "log").mkdir(parents=True)
    (workspace / "log" / kind).write_text("a file where a directory should be")
    task = Finishes()
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert kind in str(info.value.exception)
    assert STARTED == ["run"]
    assert not Path(task.output().path()).exists()
    assert not task.complete()
    assert no_temp_files(workspace)


def test_publishing_does_not_depend_on_on_success_calling_super(workspace: Path) -> None:
    class OwnOnSuccess(kartcore.TaskOnKart[str]):
        def run(self) -> None:
            self.dump("mine")

        def on_success(self):  # no super(): gokart users do this
            return None

    (workspace / "log").mkdir(parents=True)
    (workspace / "log" / "task_log").write_text("a file where a directory should be")
    task = OwnOnSuccess()
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert "task_log" in str(info.value.exception)
    assert not Path(task.output().path()).exists()
    (workspace / "log" / "task_log").unlink()
    luigi.task_register.Register.clear_instance_cache()
    assert kartcore.build(OwnOnSuccess()) == "mine"


def test_a_run_replaced_after_the_class_was_defined_is_still_staged(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def replaced(self) -> None:
        self.dump("replaced")
        raise RuntimeError("replaced run failed")

    monkeypatch.setattr(Finishes, "run", replaced)
    task = Finishes(text="replaced")
    with pytest.raises(BuildError):
        kartcore.build(task)
    _assert_nothing_published(workspace, task)


def test_dump_in_a_run_that_kartcore_could_not_wrap_writes_no_final_file(workspace: Path) -> None:
    task = Finishes(text="instance")

    def own_run(self) -> None:
        self.dump("written outside staging")

    task.run = types.MethodType(own_run, task)
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert isinstance(info.value.exception, TaskDefinitionError)
    assert "run()" in str(info.value.exception) and task.output().path() in str(info.value.exception)
    _assert_nothing_published(workspace, task)


def test_records_are_staged_during_run_and_published_before_the_outputs(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_during_run: list[str] = []

    class Watches(kartcore.TaskOnKart[str]):
        def output(self):
            return {"side": self.make_target("watch/side.txt"), "main": self.make_target("watch/main.pkl")}

        def run(self) -> None:
            seen_during_run.extend(path for path in files_under(workspace) if ".kart-tmp-" not in path)
            self.dump("side", "side")
            self.dump("main", "main")

    published: list[str] = []
    commit = Target.commit

    def logged_commit(target: Target, staged_path: str) -> None:
        published.append(target.path())
        commit(target, staged_path)

    monkeypatch.setattr(Target, "commit", logged_commit)
    task = Watches()
    kartcore.build(task)
    assert seen_during_run == []  # START wrote no record in place (only temp files)
    records = [path for path in published if f"{os.sep}log{os.sep}" in path]
    assert len(records) == 6 and published[: len(records)] == records  # every record before any output
    outputs = published[len(records) :]
    assert sorted(outputs) == sorted(t.path() for t in task.output().values())


def test_a_failed_rerun_leaves_the_previous_records_untouched(workspace: Path) -> None:
    kartcore.build(HalfDone(finish=True, fix_random_seed_value=7))
    before = {path: (workspace / path).read_bytes() for path in files_under(workspace)}
    assert len([p for p in before if p.startswith("log/")]) == 6
    luigi.task_register.Register.clear_instance_cache()
    import json  # noqa: F401  (a module imported since: a rewritten module_versions would list it)

    with pytest.raises(BuildError):
        kartcore.build(HalfDone(rerun=True, fix_random_seed_value=8))
    assert {path: (workspace / path).read_bytes() for path in files_under(workspace)} == before
    seed = pickle.loads(
        (workspace / "log" / "random_seed" / f"HalfDone_{HalfDone().make_unique_id()}.pkl").read_bytes()
    )
    assert seed["seed"] == 7


# ----- task_completion_check_at_run: run() is skipped for a task that became complete meanwhile -----


class SharedUpstream(kartcore.TaskOnKart[str]):
    task_namespace = "lifecycle"

    def run(self) -> None:
        self.dump("upstream")


class OutputIsInput(kartcore.TaskOnKart[str]):
    """Its output is its input: complete as soon as the upstream ran (after it was scheduled)."""

    task_namespace = "lifecycle"

    def requires(self) -> SharedUpstream:
        return SharedUpstream()

    def output(self) -> Target:
        return self.input()

    def run(self) -> None:
        STARTED.append("output_is_input")
        self.dump("rewritten")


def test_run_is_skipped_for_a_task_that_became_complete_after_scheduling(workspace: Path) -> None:
    assert kartcore.build(OutputIsInput()) == "upstream"
    assert STARTED == []
    assert not list(workspace.glob("log/task_log/OutputIsInput_*"))  # a skipped run records nothing


def test_task_completion_check_at_run_off_runs_it(workspace: Path) -> None:
    assert kartcore.build(OutputIsInput(task_completion_check_at_run=False)) == "rewritten"
    assert STARTED == ["output_is_input"]


def test_task_completion_check_at_run_is_an_insignificant_explicit_bool() -> None:
    param = dict(kartcore.TaskOnKart.get_params())["task_completion_check_at_run"]
    assert isinstance(param, kartcore.ExplicitBoolParameter)
    assert param.significant is False
    assert kartcore.TaskOnKart().task_completion_check_at_run is True
    assert Finishes(task_completion_check_at_run=False).make_unique_id() == Finishes().make_unique_id()


def test_a_complete_task_is_skipped_at_run_but_not_with_rerun(workspace: Path) -> None:
    """luigi's worker asks complete() when scheduling; the task completes between that and run()."""
    kartcore.build(Finishes(text="first"))
    assert STARTED == ["run"]
    Finishes(text="first").run()  # complete already: the user's run() is not called
    assert STARTED == ["run"]
    Finishes(text="first", task_completion_check_at_run=False).run()
    assert STARTED == ["run", "run"]
    assert kartcore.build(Finishes(text="first", rerun=True)) == "first"  # its old output does not skip it
    assert STARTED == ["run", "run", "run"]


def test_a_failing_completion_check_at_run_fails_the_task_before_run(monkeypatch: pytest.MonkeyPatch) -> None:
    task = Finishes(text="check fails")
    calls: list[int] = []

    def complete() -> bool:
        calls.append(1)
        if len(calls) > 1:  # the first call is the scheduler's
            raise OSError("storage unreachable")
        return False

    monkeypatch.setattr(task, "complete", complete)
    with pytest.raises(BuildError, match="storage unreachable"):
        kartcore.build(task)
