"""add_config for ini and TOML, and the precedence of [TaskOnKart] against [ClassName] sections."""

from __future__ import annotations

import warnings
from pathlib import Path

import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser

import kartcore
from kartcore.errors import ConfigError


class Configured(kartcore.TaskOnKart):
    value = luigi.Parameter(default="default")
    count = luigi.IntParameter(default=0)
    names = luigi.ListParameter(default=[])


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_shared_section_applies_to_every_task(tmp_path: Path) -> None:
    kartcore.add_config(_write(tmp_path / "a.ini", "[TaskOnKart]\nworkspace_directory = ./shared\nvalue = shared\n"))
    task = Configured()
    assert task.workspace_directory == "./shared"
    assert task.value == "shared"
    assert task.output().path().startswith("./shared/")


def test_class_section_beats_shared_section_and_explicit_argument_beats_both(tmp_path: Path) -> None:
    kartcore.add_config(
        _write(tmp_path / "a.ini", "[TaskOnKart]\nvalue = shared\ncount = 1\n[Configured]\nvalue = specific\n")
    )
    assert Configured().value == "specific"
    assert Configured().count == 1
    assert Configured(value="explicit").value == "explicit"


def test_command_line_family_flag_beats_shared_section(tmp_path: Path) -> None:
    kartcore.add_config(_write(tmp_path / "a.ini", "[TaskOnKart]\nvalue = shared\n"))
    with CmdlineParser.global_instance(["Configured", "--Configured-value", "cli"]):
        assert Configured().value == "cli"
    with CmdlineParser.global_instance(["Configured", "--TaskOnKart-workspace-directory", "./cli-ws"]):
        assert Configured().workspace_directory == "./cli-ws"


def test_environment_interpolation_in_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KART_TEST_WS", "./from-env")
    kartcore.add_config(_write(tmp_path / "a.ini", "[TaskOnKart]\nworkspace_directory = ${KART_TEST_WS}\n"))
    assert Configured().workspace_directory == "./from-env"


def test_toml_config_works(tmp_path: Path) -> None:
    kartcore.add_config(
        _write(
            tmp_path / "param.toml",
            '[TaskOnKart]\nworkspace_directory = "./toml-ws"\n\n'
            '[Configured]\nvalue = "from toml 100%"\ncount = 7\nnames = ["a", "b"]\n',
        )
    )
    task = Configured()
    assert (task.workspace_directory, task.value) == ("./toml-ws", "from toml 100%")
    assert (task.count, task.names) == (7, ("a", "b"))


def test_toml_dotted_table_is_a_namespaced_family(tmp_path: Path) -> None:
    class Namespaced(kartcore.TaskOnKart):
        task_namespace = "tomlns"
        value = luigi.Parameter(default="default")

    kartcore.add_config(_write(tmp_path / "param.toml", '[tomlns.Namespaced]\nvalue = "nested"\n'))
    assert Namespaced().value == "nested"


def test_later_files_override_earlier_ones_across_formats(tmp_path: Path) -> None:
    kartcore.add_config(_write(tmp_path / "first.ini", "[Configured]\nvalue = ini\n"))
    kartcore.add_config(_write(tmp_path / "second.toml", '[Configured]\nvalue = "toml"\n'))
    assert Configured().value == "toml"
    kartcore.add_config(_write(tmp_path / "third.ini", "[Configured]\nvalue = ini-again\n"))
    luigi.task_register.Register.clear_instance_cache()
    assert Configured().value == "ini-again"


def test_adding_an_ini_file_prints_no_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kartcore.add_config(_write(tmp_path / "quiet.ini", "[core]\nno_lock = true\n"))


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("missing.ini", None, "does not exist"),
        ("bad.ini", "not a section line\n", "cannot be parsed"),
        ("bad.toml", "[TaskOnKart\n", "not valid TOML"),
        ("top.toml", 'value = "no section"\n', "must be inside a [section]"),
        ("conf.yaml", "a: 1\n", "unsupported extension .yaml"),
    ],
)
def test_bad_config_files_are_named_in_the_error(tmp_path: Path, name: str, text: str | None, expected: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigError) as info:
        kartcore.add_config(str(path))
    assert name in str(info.value) and expected in str(info.value)


# ----- TOML tables that hold parameter values (issue 12, finding 8) ------------------------------


class TomlTrain(kartcore.TaskOnKart):
    hyper = luigi.DictParameter(default={})
    layers = luigi.ListParameter(default=[])
    rate = luigi.FloatParameter(default=0.0)


TOML_VALUES: list[tuple[str, str, dict[str, object]]] = [
    ("inline table only", "[TomlTrain]\nhyper = {depth = 3}\n", {"hyper": {"depth": 3}}),
    (
        "inline tables only",
        '[TomlTrain]\nhyper = {depth = 3, grow = {by = "leaf"}}\nlayers = [{units = 8}, {units = 4}]\n',
        {"hyper": {"depth": 3, "grow": {"by": "leaf"}}, "layers": ({"units": 8}, {"units": 4})},
    ),
    (
        "dotted keys",
        "[TomlTrain]\nhyper.depth = 3\nhyper.grow.by = 'leaf'\n",
        {"hyper": {"depth": 3, "grow": {"by": "leaf"}}},
    ),
    (
        "sub-table",
        "[TomlTrain]\nrate = 0.5\n\n[TomlTrain.hyper]\ndepth = 3\n",
        {"rate": 0.5, "hyper": {"depth": 3}},
    ),
    ("sub-table of an empty table", "[TomlTrain]\n[TomlTrain.hyper]\ndepth = 3\n", {"hyper": {"depth": 3}}),
    ("array", "[TomlTrain]\nlayers = [64, 32]\n", {"layers": (64, 32)}),
    (
        "array of tables",
        "[[TomlTrain.layers]]\nunits = 8\n[[TomlTrain.layers]]\nunits = 4\n",
        {"layers": ({"units": 8}, {"units": 4})},
    ),
    (
        "dates in a table",
        "[TomlTrain]\nhyper = {start = 2024-01-02, at = 2024-01-02T03:04:05}\n",
        {"hyper": {"start": "2024-01-02", "at": "2024-01-02T03:04:05"}},
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), TOML_VALUES, ids=[case for case, _, _ in TOML_VALUES])
def test_toml_tables_inside_a_task_section_reach_its_parameters(
    tmp_path: Path, case: str, text: str, expected: dict[str, object]
) -> None:
    kartcore.add_config(_write(tmp_path / "param.toml", text))
    task = TomlTrain()
    assert {name: getattr(task, name) for name in expected} == expected, case


def test_toml_namespaced_family_with_a_sub_table(tmp_path: Path) -> None:
    class Nested(kartcore.TaskOnKart):
        task_namespace = "tomlns"
        hyper = luigi.DictParameter(default={})
        rate = luigi.FloatParameter(default=0.0)

    kartcore.add_config(
        _write(tmp_path / "param.toml", "[tomlns.Nested]\nrate = 0.5\n\n[tomlns.Nested.hyper]\ndepth = 3\n")
    )
    assert (Nested().rate, Nested().hyper) == (0.5, {"depth": 3})


def test_a_header_inside_a_multiline_string_is_not_a_table(tmp_path: Path) -> None:
    class Quoted(kartcore.TaskOnKart):
        task_namespace = "tomlq"
        note = luigi.Parameter(default="")

    text = '[tomlq.Quoted]\nnote = """\n[tomlq]\nend"""\n'
    kartcore.add_config(_write(tmp_path / "param.toml", text))
    assert Quoted().note == "[tomlq]\nend"


@pytest.mark.parametrize(
    ("value", "becomes"),
    [('"\\t"', "''"), ('" a"', "'a'"), ('"""\nl1\n# not a comment\n"""', "'l1'"), ('"x\\r\\ny"', "'x\\ny'")],
)
def test_toml_strings_an_ini_file_cannot_carry_are_refused(tmp_path: Path, value: str, becomes: str) -> None:
    path = _write(tmp_path / "param.toml", f"[Configured]\nvalue = {value}\n")
    with pytest.raises(ConfigError) as info:
        kartcore.add_config(path)
    message = str(info.value)
    assert (
        "param.toml" in message and "[Configured] value" in message and f"would reach the task as {becomes}" in message
    )
    assert Configured().value == "default"


def test_a_multiline_toml_string_keeps_its_lines(tmp_path: Path) -> None:
    kartcore.add_config(_write(tmp_path / "param.toml", '[Configured]\nvalue = """\nSELECT 1\nFROM t\n"""\n'))
    assert Configured().value == "SELECT 1\nFROM t"  # the final line break is the only thing an ini value drops
