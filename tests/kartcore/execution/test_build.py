"""build(): return values, failures with their causes, workers, logging and the registry shim."""

from __future__ import annotations

import logging
from pathlib import Path

import luigi
import pytest
from luigi.task_register import Register

import kartcore
from kartcore.errors import BuildError, GokartBuildError, KartError


class Leaf(kartcore.TaskOnKart[int]):
    number = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.number)


class Sum(kartcore.TaskOnKart[int]):
    width = luigi.IntParameter(default=4)

    def requires(self):
        return [Leaf(number=i) for i in range(self.width)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class Fails(kartcore.TaskOnKart):
    def run(self) -> None:
        raise ZeroDivisionError("division by zero in Fails.run")


class Mixed(kartcore.TaskOnKart):
    def requires(self):
        return {"ok": Leaf(number=7), "bad": Fails()}

    def run(self) -> None:
        self.dump("never")


def test_build_returns_the_loaded_output_and_none_without_return_value() -> None:
    assert kartcore.build(Sum()) == 6
    assert kartcore.build(Sum(), return_value=False) is None


def test_build_reuses_the_cache() -> None:
    kartcore.build(Leaf(number=1))
    Path(Leaf(number=1).output().path()).write_bytes(__import__("pickle").dumps(42))
    assert kartcore.build(Leaf(number=1)) == 42


def test_build_with_worker_processes() -> None:
    assert kartcore.build(Sum(width=6), workers=2) == 15


def test_failure_carries_task_exception_and_traceback_and_independent_branch_finishes() -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(Mixed())
    error = info.value
    assert isinstance(error, GokartBuildError) and isinstance(error, KartError)
    assert isinstance(error.task, Fails)
    assert isinstance(error.exception, ZeroDivisionError)
    assert "division by zero in Fails.run" in error.traceback and "Traceback" in error.traceback
    assert list(error.raised_exceptions) == [Fails().make_unique_id()]
    assert "Fails" in str(error) and "ZeroDivisionError" in str(error)
    assert Leaf(number=7).complete()
    assert not Mixed().complete()


def test_failure_in_a_worker_process_still_has_the_traceback_text() -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(Mixed(), workers=2)
    assert "division by zero in Fails.run" in info.value.traceback
    assert info.value.failures[0].task == Fails()


def test_build_takes_one_task() -> None:
    with pytest.raises(TypeError, match="one task instance"):
        kartcore.build([Leaf(number=1)])  # type: ignore[arg-type]


def test_repeated_builds_do_not_accumulate_event_handlers() -> None:
    callbacks = luigi.Task._event_callbacks
    before = {key: {event: len(handlers) for event, handlers in value.items()} for key, value in callbacks.items()}
    for _ in range(3):
        with pytest.raises(BuildError):
            kartcore.build(Fails())
    after = {key: {event: len(handlers) for event, handlers in value.items()} for key, value in callbacks.items()}
    assert before == after


def test_log_level_is_restored_after_build() -> None:
    interface = logging.getLogger("luigi-interface")
    interface.setLevel(logging.WARNING)
    kartcore.build(Leaf(number=3), log_level=logging.DEBUG)
    assert interface.level == logging.WARNING


def test_reset_register_lets_the_newest_redefinition_win() -> None:
    def define(value: str) -> type:
        class Redefined(kartcore.TaskOnKart):
            def run(self) -> None:
                self.dump(value)

        return Redefined

    define("old")
    newest = define("new")
    assert kartcore.build(newest()) == "new"
    assert Register.get_task_cls("Redefined") is newest


def test_luigi_check_complete_on_run_sees_staged_outputs(tmp_path: Path) -> None:
    (tmp_path / "worker.ini").write_text("[worker]\ncheck_complete_on_run = true\n")
    kartcore.add_config(str(tmp_path / "worker.ini"))
    assert kartcore.build(Sum(width=3)) == 3


def test_an_error_in_complete_reaches_the_build_error() -> None:
    from kartcore.errors import StorageError
    from kartcore.io import Target

    class Unreachable(Target):
        def exists(self) -> bool:
            raise StorageError("s3://bucket/x.pkl: the credentials were refused (check AWS_ACCESS_KEY_ID)")

    class OnBrokenStorage(kartcore.TaskOnKart):
        def output(self):
            return Unreachable("s3://bucket/x.pkl")

        def run(self) -> None:
            self.dump(1)

    with pytest.raises(BuildError) as info:
        kartcore.build(OnBrokenStorage())
    assert isinstance(info.value.exception, StorageError)
    assert "credentials were refused" in str(info.value)


class RequiresRaises(kartcore.TaskOnKart):
    def requires(self):
        raise LookupError("requires broke on purpose")

    def run(self) -> None:
        self.dump(1)


class OutputRaises(kartcore.TaskOnKart):
    def output(self):
        raise LookupError("output broke on purpose")

    def run(self) -> None:
        self.dump(1)


@pytest.mark.parametrize(("task_class", "method"), [(RequiresRaises, "requires"), (OutputRaises, "output")])
def test_a_requires_or_output_that_raises_is_named_in_the_build_error(
    task_class: type[kartcore.TaskOnKart], method: str, workspace: Path
) -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(task_class())
    assert f"task {task_class.get_task_family()}: {method}() raised LookupError: {method} broke on purpose" in str(
        info.value
    )
    assert f"(at {__file__}:" in str(info.value)
    assert isinstance(info.value.exception, LookupError)
    assert not workspace.exists()


@pytest.mark.parametrize("workers", [0, -1, 1.5, "2"])
def test_build_refuses_a_worker_count_below_one(workers: object, workspace: Path) -> None:
    from kartcore.errors import UsageError

    with pytest.raises(UsageError, match=r"build\(workers=\.\.\.\) must be a whole number at least 1, got") as info:
        kartcore.build(Leaf(number=1), workers=workers)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, KartError)
    assert not workspace.exists()


def test_build_takes_every_keyword_of_gokarts_build() -> None:
    """gokart 1.12.2's build(task, return_value, reset_register, log_level, task_lock_exception_max_tries,
    task_lock_exception_max_wait_seconds, task_dump_config, **env_params), in that order."""
    import inspect

    names = list(inspect.signature(kartcore.build).parameters)
    gokarts = [
        "task", "return_value", "reset_register", "log_level", "task_lock_exception_max_tries",
        "task_lock_exception_max_wait_seconds", "task_dump_config",
    ]  # fmt: skip
    assert names[: len(gokarts)] == gokarts
    assert names[-1] == "env_params"


def test_task_lock_exception_arguments_are_accepted_and_checked(workspace: Path) -> None:
    got = kartcore.build(Leaf(number=5), task_lock_exception_max_tries=3, task_lock_exception_max_wait_seconds=0)
    assert got == 5
    with pytest.raises(ValueError, match="task_lock_exception_max_tries"):
        kartcore.build(Leaf(number=5), task_lock_exception_max_tries=0)
    with pytest.raises(ValueError, match="task_lock_exception_max_wait_seconds"):
        kartcore.build(Leaf(number=5), task_lock_exception_max_wait_seconds=-1)


def test_log_level_decides_what_luigi_logs_during_the_build(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        kartcore.build(Leaf(number=8))
        assert "Informed scheduler" not in caplog.text  # the default ERROR hides luigi's INFO lines
        kartcore.build(Leaf(number=9), log_level=logging.INFO)
        assert "Informed scheduler" in caplog.text
