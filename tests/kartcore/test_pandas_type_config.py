"""Which PandasTypeConfig applies to a task namespace."""

from __future__ import annotations

from collections.abc import Iterator

import luigi
import pytest

import kartcore
from kartcore.pandas_type_config import PandasTypeConfig, config_for_namespace


@pytest.fixture
def forget_new_configs() -> Iterator[None]:
    """Configs defined in a test stay out of the registry afterwards (a config applies process-wide)."""
    known = list(PandasTypeConfig._kart_configs)
    yield
    PandasTypeConfig._kart_configs[:] = known


def test_it_is_exported_and_is_a_luigi_config() -> None:
    assert kartcore.PandasTypeConfig is PandasTypeConfig
    assert issubclass(PandasTypeConfig, luigi.Config)
    assert PandasTypeConfig.type_dict() == {}


def test_a_namespace_without_config_gets_none() -> None:
    assert config_for_namespace("kart_test_no_such_namespace") is None


@pytest.mark.usefixtures("forget_new_configs")
def test_the_last_config_of_a_namespace_wins() -> None:
    class First(PandasTypeConfig):
        task_namespace = "kart_test_ptc_last"

    class Second(PandasTypeConfig):
        task_namespace = "kart_test_ptc_last"

        @classmethod
        def type_dict(cls) -> dict:
            return {"a": int}

    assert config_for_namespace("kart_test_ptc_last") is Second
    assert First is not Second


@pytest.mark.usefixtures("forget_new_configs")
def test_configs_and_tasks_without_a_namespace_match() -> None:
    class Untyped(PandasTypeConfig):
        @classmethod
        def type_dict(cls) -> dict:
            return {"__kart_test_only__": int}

    class Plain(kartcore.TaskOnKart):
        pass

    assert config_for_namespace(Plain.get_task_namespace()) is Untyped
    assert config_for_namespace(None) is Untyped
    assert config_for_namespace("") is Untyped


@pytest.mark.usefixtures("forget_new_configs")
def test_namespace_set_with_luigi_namespace() -> None:
    luigi.namespace("kart_test_ptc_scoped")
    try:

        class Scoped(PandasTypeConfig):
            pass

    finally:
        luigi.namespace()
    assert config_for_namespace("kart_test_ptc_scoped") is Scoped


def test_check_raises_for_a_frame_that_breaks_the_types(forget_new_configs: None) -> None:
    import pandas as pd

    from kartcore.errors import PandasTypeError

    class _Types(PandasTypeConfig):
        task_namespace = "kart_test_check"

        @classmethod
        def type_dict(cls) -> dict[str, type]:
            return {"id": int}

    _Types().check(pd.DataFrame({"id": [1, 2], "other": ["x", None]}))
    with pytest.raises(PandasTypeError, match=r"column 'id' must hold int values .* row 1 \(index 1\) holds '2'"):
        _Types().check(pd.DataFrame({"id": [1, "2"]}))
