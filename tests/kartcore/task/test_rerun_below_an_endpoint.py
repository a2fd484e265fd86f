"""``rerun`` on a task below an endpoint (a task without ``run()``): the endpoint's completeness must not use it up."""

from __future__ import annotations

from pathlib import Path

import luigi
import luigi.configuration

import kartcore


class _Counted(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_rerun_below"
    runs = 0

    def run(self) -> None:
        type(self).runs += 1
        self.dump("written")


class _Endpoint(kartcore.TaskOnKart[str]):
    task_namespace = "kart_test_rerun_below"

    def requires(self) -> kartcore.TaskOnKart[str]:
        return _Counted(workspace_directory=self.workspace_directory)


def test_rerun_from_the_config_reaches_a_task_below_an_endpoint(tmp_path: Path) -> None:
    _Counted.runs = 0
    kartcore.build(_Endpoint(workspace_directory=str(tmp_path)), log_level=50)
    kartcore.build(_Endpoint(workspace_directory=str(tmp_path)), log_level=50)
    assert _Counted.runs == 1  # complete the second time
    luigi.configuration.get_config().set("kart_test_rerun_below._Counted", "rerun", "true")
    kartcore.build(_Endpoint(workspace_directory=str(tmp_path)), log_level=50)
    assert _Counted.runs == 2


def test_an_endpoint_is_incomplete_while_a_requirement_is_to_run_again(tmp_path: Path) -> None:
    _Counted.runs = 0
    kartcore.build(_Endpoint(workspace_directory=str(tmp_path)), log_level=50)
    requirement = _Counted(workspace_directory=str(tmp_path), rerun=True)
    endpoint = _Endpoint(workspace_directory=str(tmp_path))
    endpoint.requires = lambda: requirement  # type: ignore[method-assign]
    assert not endpoint.complete()
    assert not endpoint.complete()  # asking again does not use the rerun up either
    assert not requirement.complete()  # the requirement's own first question does
    assert requirement.complete()
    assert endpoint.complete()
