"""Advice for each shape requires() and output() can return (kartcore/task/shapes.py).

"Pass the key" is right only for a dict of outputs; a list, a plain luigi target or a forgotten
``return`` (None) each get their own advice, naming the task and the method, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, TaskDefinitionError
from tests.conftest import files_under


class Given(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def run(self) -> None:
        self.dump("given")


class RequiresNothingReturned(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def requires(self):
        Given()  # a forgotten return

    def run(self) -> None:
        self.dump(self.load())


class OutputNothingReturned(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def output(self):
        self.make_target("forgotten.pkl")

    def run(self) -> None:
        self.dump("never")


class PlainLuigiOutput(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def output(self):
        return luigi.LocalTarget("resources/plain.txt")

    def run(self) -> None:
        self.dump("plain")


class ListOfOutputs(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"
    key = luigi.Parameter(default="")

    def output(self):
        return [self.make_target("list/a.pkl"), self.make_target("list/b.pkl")]

    def run(self) -> None:
        self.dump("listed", self.key or None)


class DictWithPlainTarget(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def output(self):
        return {"plain": luigi.LocalTarget("resources/dict-plain.txt"), "kart": self.make_target("dict/k.pkl")}

    def run(self) -> None:
        self.dump("plain", "plain")


class KeyForASingleOutput(kartcore.TaskOnKart[str]):
    task_namespace = "shapes"

    def run(self) -> None:
        self.dump("single", "result")


def _failure(task: kartcore.TaskOnKart) -> str:
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    assert isinstance(info.value.exception, TaskDefinitionError), info.value
    return str(info.value.exception)


def _no_outputs(workspace: Path) -> None:
    assert not workspace.exists() or [p for p in files_under(workspace) if not p.startswith("log/")] == []


def test_requires_returning_none_names_the_method(workspace: Path) -> None:
    message = _failure(RequiresNothingReturned())
    assert "RequiresNothingReturned.requires() returned None" in message
    assert "Cannot map" not in message and __file__ in message
    assert not Path(RequiresNothingReturned().output().path()).exists()


def test_output_returning_none_names_the_method_instead_of_counting_as_complete(workspace: Path) -> None:
    message = _failure(OutputNothingReturned())
    assert "OutputNothingReturned.output() returned None" in message and __file__ in message
    _no_outputs(workspace)


def test_dump_into_a_plain_luigi_target_advises_make_target(workspace: Path) -> None:
    message = _failure(PlainLuigiOutput())
    assert "LocalTarget" in message and "self.make_target(" in message and "open('w')" in message
    assert "pass the key" not in message
    _no_outputs(workspace)
    assert not Path("resources/plain.txt").exists()


def test_dump_into_a_list_of_outputs_advises_a_dict_or_the_target(workspace: Path) -> None:
    message = _failure(ListOfOutputs())
    assert "ListOfOutputs.output() returns a list of 2 outputs" in message
    assert "return a dict" in message and "self.dump(obj, self.output()[0])" in message
    assert "pass the key" not in message
    luigi.task_register.Register.clear_instance_cache()
    message = _failure(ListOfOutputs(key="a"))
    assert "self.dump(obj, 'a')" in message and "returns a list of 2 outputs" in message
    _no_outputs(workspace)


def test_dump_into_a_plain_target_of_a_dict_says_what_it_is(workspace: Path) -> None:
    message = _failure(DictWithPlainTarget())
    assert "output 'plain'" in message and "LocalTarget" in message and "self.make_target(" in message
    _no_outputs(workspace)


def test_a_key_for_a_single_output_says_there_are_no_keys(workspace: Path) -> None:
    message = _failure(KeyForASingleOutput())
    assert "returns a single target, which has no keys: call self.dump(obj)" in message
    _no_outputs(workspace)
