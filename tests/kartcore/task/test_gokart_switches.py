"""gokart's remaining TaskOnKart switches and helpers: complete_check_at_run, should_lock_run, the
``[gokart_worker]`` default of task_completion_check_at_run, is_task_on_kart, get_own_code, clone and str/repr."""

from __future__ import annotations

from pathlib import Path

import luigi
import luigi.configuration
import pandas as pd
import pytest
from luigi.parameter import ParameterVisibility

import kartcore
from kartcore.errors import EmptyDumpError, NotRequiredError, RunLockSettingsError, TaskDefinitionError
from kartcore.task.parameters import UnsetExplicitBoolParameter


class _Marker(kartcore.TaskOnKart[str]):
    """Complete once its output exists; run() writes the output (so a second run() would rewrite it)."""

    task_namespace = "kart_test_switches"
    runs: int = 0

    def run(self) -> None:
        type(self).runs += 1
        self.dump("written")


def _done(tmp_path: Path, **kwargs: object) -> _Marker:
    task = _Marker(workspace_directory=str(tmp_path), **kwargs)
    task.output().dump("before")  # already complete
    return task


@pytest.mark.parametrize(
    ("check_at_run", "complete_check_at_run", "skipped"),
    [(True, None, True), (False, None, False), (False, True, True), (True, False, True), (False, False, False)],
)
def test_run_is_skipped_when_either_switch_asks(
    tmp_path: Path, check_at_run: bool, complete_check_at_run: bool | None, skipped: bool
) -> None:
    task = _done(tmp_path, task_completion_check_at_run=check_at_run, complete_check_at_run=complete_check_at_run)
    _Marker.runs = 0
    task.run()
    assert _Marker.runs == (0 if skipped else 1)
    assert task.output().load() == ("before" if skipped else "written")


def test_gokart_worker_section_sets_the_default_of_task_completion_check_at_run(tmp_path: Path) -> None:
    luigi.configuration.get_config().set("gokart_worker", "task_completion_check_at_run", "false")
    task = _done(tmp_path)
    assert task.task_completion_check_at_run is False
    _Marker.runs = 0
    task.run()
    assert _Marker.runs == 1


def test_complete_check_at_run_stays_unset_through_its_string_form() -> None:
    task = _Marker()
    assert task.complete_check_at_run is None
    assert task.to_str_params()["complete_check_at_run"] == ""
    assert _Marker.from_str_params(task.to_str_params()).complete_check_at_run is None
    parameter = UnsetExplicitBoolParameter()
    assert parameter.parse("true") is True and parameter.parse("None") is None
    with pytest.raises(ValueError, match="use true or false"):
        parameter.parse("maybe")


@pytest.mark.parametrize("settings", [{"redis_port": 6379}, {"redis_host": "localhost"}, {}])
def test_should_lock_run_without_a_redis_server_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(RunLockSettingsError, match="should_lock_run=True needs redis_host and redis_port") as info:
        _Marker(should_lock_run=True, **settings)
    assert isinstance(info.value, AssertionError)  # what gokart raises


def test_should_lock_run_with_a_server_is_accepted() -> None:
    assert _Marker(should_lock_run=True, redis_host="localhost", redis_port=6379).should_lock_run


def test_is_task_on_kart_and_get_own_code() -> None:
    task = _Marker()
    assert kartcore.TaskOnKart.is_task_on_kart(task)
    assert kartcore.TaskOnKart.is_task_on_kart((task, _Marker(rerun=True)))
    assert not kartcore.TaskOnKart.is_task_on_kart(())
    assert not kartcore.TaskOnKart.is_task_on_kart(1)
    assert "type(self).runs += 1" in task.get_own_code() == task.definition_code()


class _Upstream(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_switches"


class _Downstream(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_switches"
    shown = luigi.IntParameter(default=1)
    hidden = luigi.IntParameter(default=2, visibility=ParameterVisibility.PRIVATE)
    upstream = kartcore.TaskInstanceParameter(default=_Upstream())

    def requires(self) -> kartcore.TaskOnKart[str]:
        return self.clone(_Upstream)


def test_repr_shows_private_parameters_and_str_does_not() -> None:
    task = _Downstream()
    upstream = f"kart_test_switches._Upstream({_Upstream().make_unique_id()})"
    head = f"kart_test_switches._Downstream[{task.make_unique_id()}]"
    assert repr(task) == f"{head}(shown=1, hidden=2, upstream={upstream})"
    assert str(task) == f"{head}(shown=1, upstream={upstream})"


def test_a_clone_takes_rerun_from_the_config_not_from_the_cloned_task() -> None:
    luigi.configuration.get_config().set("kart_test_switches._Upstream", "rerun", "true")
    assert _Downstream().requires().rerun is True
    luigi.configuration.get_config().set("kart_test_switches._Upstream", "rerun", "false")
    assert _Downstream(rerun=True).requires().rerun is False
    assert _Downstream().clone(_Upstream, rerun=True).rerun is True


def test_an_empty_frame_is_refused_before_the_output_is_looked_at(tmp_path: Path) -> None:
    task = _Marker(workspace_directory=str(tmp_path), fail_on_empty_dump=True)
    with pytest.raises(EmptyDumpError, match="nothing was written"):
        task.dump(pd.DataFrame())
    assert list(tmp_path.iterdir()) == []


def test_loading_a_task_that_is_not_required_is_also_an_assertion_error() -> None:
    with pytest.raises(NotRequiredError, match="which is not among its requires") as info:
        _Downstream().load(_Marker())
    assert isinstance(info.value, AssertionError) and isinstance(info.value, TaskDefinitionError)


def test_a_stand_in_task_is_loaded_when_required_and_refused_otherwise() -> None:
    from unittest.mock import Mock

    stand_in = Mock(spec=kartcore.TaskOnKart)  # no task_id: luigi sets it in __init__
    stand_in.output.return_value.load.return_value = "loaded"
    stand_in.output.return_value.__class__ = kartcore.Target
    task = _Downstream()
    with pytest.raises(NotRequiredError):
        task.load(stand_in)
    task.requires = lambda: {"stand_in": stand_in}  # type: ignore[method-assign]
    assert task.load(stand_in) == "loaded"
