"""One line per failure: the task, the method that raised, the exception and where."""

from __future__ import annotations

import pytest

from kartcore.errors import TaskFailure
from kartcore.execution.diagnosis import definition_error, failure_line
from tests.kartcore.execution.test_build import OutputRaises, RequiresRaises


def raised_by(call: object) -> BaseException:
    with pytest.raises(Exception) as info:
        call()  # type: ignore[operator]
    return info.value


def test_the_innermost_task_method_is_named_with_its_line() -> None:
    exc = raised_by(lambda: RequiresRaises().make_unique_id())
    code = RequiresRaises.requires.__code__
    assert definition_error(exc) == (
        "task RequiresRaises: requires() raised LookupError: requires broke on purpose "
        f"(at {code.co_filename}:{code.co_firstlineno + 1})"
    )
    assert definition_error(raised_by(lambda: OutputRaises().complete())).startswith(
        "task OutputRaises: output() raised LookupError: output broke on purpose"
    )


def test_an_exception_from_elsewhere_is_not_a_definition_error() -> None:
    assert definition_error(raised_by(lambda: 1 / 0)) is None


def test_a_failure_without_exception_shows_the_last_traceback_line_and_a_name_that_does_not_raise() -> None:
    task = RequiresRaises()  # its label() would call requires(), which raises
    failure = TaskFailure(task, None, "Traceback (most recent call last):\n  ...\nOSError: disk gone\n")
    assert failure_line(failure) == "RequiresRaises failed: OSError: disk gone"
    assert failure_line(TaskFailure("some_task_id", None, "")) == "some_task_id failed: no error text"
