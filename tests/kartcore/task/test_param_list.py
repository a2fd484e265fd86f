"""kartcore/task/param_list.py: the per-class parameter list follows parameters assigned after class creation.

gokart's test_cache_unique_id replaces a parameter of a class between two builds; with ``cache_unique_id=False``
the second build must see the new default (a new upstream id, so a new output), with True the memoised id.
"""

from __future__ import annotations

from typing import Any

import luigi
import pytest

import kartcore
from kartcore.task import param_list


class CacheIdParent(kartcore.TaskOnKart[Any]):
    task_namespace = "param_list"

    def requires(self) -> Any:
        return CacheIdChild()

    def run(self) -> None:
        self.dump(self.load())


class CacheIdChild(kartcore.TaskOnKart[str]):
    task_namespace = "param_list"
    param = luigi.Parameter(default="unset")

    def run(self) -> None:
        self.dump(self.param)


def _assign(cls: type, name: str, param: luigi.Parameter) -> None:
    param.__set_name__(cls, name)  # as luigi's metaclass would at class creation
    setattr(cls, name, param)


@pytest.fixture(autouse=True)
def _restore_child_param() -> Any:
    original = CacheIdChild.__dict__["param"]
    yield
    _assign(CacheIdChild, "param", original)


def test_cache_unique_id_false_sees_a_parameter_replaced_between_builds() -> None:
    _assign(CacheIdChild, "param", luigi.Parameter(default="original_param"))
    first = kartcore.build(CacheIdParent(cache_unique_id=False), reset_register=False)
    _assign(CacheIdChild, "param", luigi.Parameter(default="updated_param"))
    second = kartcore.build(CacheIdParent(cache_unique_id=False), reset_register=False)
    assert (first, second) == ("original_param", "updated_param")


def test_cache_unique_id_true_keeps_the_first_id_and_output() -> None:
    _assign(CacheIdChild, "param", luigi.Parameter(default="original_param"))
    first = kartcore.build(CacheIdParent(cache_unique_id=True), reset_register=False)
    _assign(CacheIdChild, "param", luigi.Parameter(default="updated_param"))
    second = kartcore.build(CacheIdParent(cache_unique_id=True), reset_register=False)
    assert first == second == "original_param"


def test_a_parameter_added_after_class_creation_is_listed() -> None:
    class Grows(kartcore.TaskOnKart[str]):
        task_namespace = "param_list"

    assert "extra" not in dict(Grows.get_params())
    _assign(Grows, "extra", luigi.IntParameter(default=3))
    assert dict(Grows.get_params())["extra"] is Grows.__dict__["extra"]
    assert Grows().extra == 3


def test_the_list_is_computed_once_while_the_class_is_unchanged() -> None:
    class Steady(kartcore.TaskOnKart[str]):
        task_namespace = "param_list"
        value = luigi.Parameter(default="v")

    calls: list[int] = []

    def compute() -> list[tuple[str, luigi.Parameter]]:
        calls.append(1)
        return [("value", Steady.__dict__["value"])]

    first = param_list.class_params(Steady, compute)
    assert param_list.class_params(Steady, compute) == first
    assert len(calls) == 1
    _assign(Steady, "value", luigi.Parameter(default="w"))
    param_list.class_params(Steady, compute)
    assert len(calls) == 2
