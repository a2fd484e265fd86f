"""Parameter defaults resolved once per class during a build give exactly luigi's values and errors."""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path
from typing import Any

import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.parameter import MissingParameterException, UnconsumedParameterWarning, UnknownParameterException

import kartcore
from kartcore.task import resolution


class Knobs(kartcore.TaskOnKart):
    text = luigi.Parameter(default="default")
    count = luigi.IntParameter(default=0)
    names = luigi.ListParameter(default=["a", "b"])
    mapping = luigi.DictParameter(default={"k": 1})
    day = luigi.DateParameter(default=datetime.date(2024, 1, 1))
    maybe = luigi.OptionalIntParameter(default=None)
    required = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.required)


class Leaf(kartcore.TaskOnKart):
    label_text = luigi.Parameter(default="leaf")

    def run(self) -> None:
        self.dump(self.label_text)


class Root(kartcore.TaskOnKart):
    def requires(self) -> Any:
        return Leaf()

    def run(self) -> None:
        self.dump(self.load())


CONFIGS = {
    "none": "",
    "family": '[Knobs]\ntext = from-family\ncount = 7\nnames = ["x"]\nmapping = {"z": 2}\nday = 2025-02-03\n',
    "shared": "[TaskOnKart]\ntext = from-shared\nworkspace_directory = ./elsewhere\nmaybe = 5\n",
    "both": "[TaskOnKart]\ntext = shared\ncount = 3\n[Knobs]\ntext = family\nrerun = true\n",
}


def _values(kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    return Knobs.get_param_values(Knobs.get_params(), (), kwargs)


COMMAND_LINE = ["Knobs", "--Knobs-count", "11", "--TaskOnKart-workspace-directory", "./cli"]


@pytest.mark.parametrize("config_name", sorted(CONFIGS))
@pytest.mark.parametrize("command_line", [[], COMMAND_LINE])
@pytest.mark.parametrize(
    "kwargs", [{"required": 1}, {"required": 2, "text": "explicit", "names": ["q"]}, {"required": 3, "maybe": 4}]
)
def test_cached_resolution_equals_luigis(
    tmp_path: Path, config_name: str, command_line: list[str], kwargs: dict[str, Any]
) -> None:
    (tmp_path / "c.ini").write_text(CONFIGS[config_name])
    kartcore.add_config(str(tmp_path / "c.ini"))
    with CmdlineParser.global_instance(command_line) if command_line else _nothing():
        expected = _values(kwargs)
        with resolution.frozen_configuration():
            first = _values(kwargs)
            again = _values(kwargs)
    assert first == expected
    assert again == expected
    assert dict(expected)["names"].__class__ is tuple
    if command_line:
        assert dict(first)["count"] == 11
        assert dict(first)["workspace_directory"] == "./cli"


def test_the_cache_lives_only_inside_the_block(tmp_path: Path) -> None:
    with resolution.frozen_configuration():
        assert Knobs(required=1).text == "default"
    assert resolution.resolved(Knobs, Knobs.get_params(), {"required": 1}) is None
    (tmp_path / "c.ini").write_text("[Knobs]\ntext = changed\n")
    kartcore.add_config(str(tmp_path / "c.ini"))
    with resolution.frozen_configuration():
        assert Knobs(required=1).text == "changed"


def test_a_config_change_between_builds_is_seen(tmp_path: Path) -> None:
    assert kartcore.build(Leaf()) == "leaf"
    (tmp_path / "c.ini").write_text("[Leaf]\nlabel_text = configured\n")
    kartcore.add_config(str(tmp_path / "c.ini"))
    assert kartcore.build(Leaf()) == "configured"


def test_tasks_made_in_requires_get_their_section_during_a_build(tmp_path: Path) -> None:
    (tmp_path / "c.ini").write_text("[Leaf]\nlabel_text = from-config\n[TaskOnKart]\nworkspace_directory = ./ws\n")
    kartcore.add_config(str(tmp_path / "c.ini"))
    assert kartcore.build(Root()) == "from-config"
    assert any(path.name.startswith("Leaf_") for path in (tmp_path / "ws").rglob("*.pkl"))


def test_a_missing_parameter_is_luigis_error() -> None:
    with resolution.frozen_configuration(), pytest.raises(MissingParameterException, match="requires the 'required'"):
        Knobs()


def test_an_unknown_parameter_is_luigis_error() -> None:
    with resolution.frozen_configuration(), pytest.raises(UnknownParameterException, match="unknown parameter nope"):
        Knobs(required=1, nope=2)


def test_positional_arguments_take_luigis_path() -> None:
    outside = Knobs.get_param_values(Knobs.get_params(), ("./positional",), {"required": 1})
    with resolution.frozen_configuration():
        inside = Knobs.get_param_values(Knobs.get_params(), ("./positional",), {"required": 1})
    assert inside == outside
    assert dict(inside)["workspace_directory"] == "./positional"


def test_an_unparsable_config_value_is_luigis_error_at_every_instantiation(tmp_path: Path) -> None:
    (tmp_path / "c.ini").write_text("[Knobs]\ncount = many\n")
    kartcore.add_config(str(tmp_path / "c.ini"))
    with resolution.frozen_configuration():
        for _ in range(2):
            with pytest.raises(ValueError, match="Error when parsing the default value of 'count'"):
                Knobs(required=1)
        assert Knobs(required=1, count=2).count == 2


def test_an_option_no_parameter_consumes_still_warns_once(tmp_path: Path) -> None:
    class Warned(kartcore.TaskOnKart):
        used = luigi.IntParameter(default=0)

    (tmp_path / "c.ini").write_text("[Warned]\nused = 1\nunused_option = 2\n")
    kartcore.add_config(str(tmp_path / "c.ini"))
    with warnings.catch_warnings(record=True) as caught, resolution.frozen_configuration():
        warnings.simplefilter("always")
        assert Warned().used == 1
        assert Warned(used=3).used == 3
    unconsumed = [w for w in caught if issubclass(w.category, UnconsumedParameterWarning)]
    assert len(unconsumed) == 1
    assert "'unused_option' with value '2'" in str(unconsumed[0].message)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
