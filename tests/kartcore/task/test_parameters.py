"""Behaviour of the parameter classes gokart adds to luigi (serialised forms, parsing, type checks, command line)."""

from __future__ import annotations

import bz2
import dataclasses
import datetime
import json
import pickle
import warnings
import zoneinfo

import luigi
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.task_register import Register

import kartcore as gokart

_EMPTY_PARAMS_BZ2 = "425a6839314159265359a726dd4e0000000080000a2000210082b177245385090a726dd4e0"
_UTC = datetime.timezone.utc
_JST = datetime.timezone(datetime.timedelta(hours=9))
_MINUS_0530 = datetime.timezone(-datetime.timedelta(hours=5, minutes=30))


class ParamsLeaf(gokart.TaskOnKart):
    v = luigi.IntParameter()
    note = luigi.Parameter(default="n", significant=False)


class ParamsEmpty(gokart.TaskOnKart):
    pass


class ParamsMiddle(gokart.TaskOnKart):
    child = gokart.TaskInstanceParameter()
    items = luigi.ListParameter(default=[1, 2])


class ParamsTop(gokart.TaskOnKart):
    middle = gokart.TaskInstanceParameter(expected_type=ParamsMiddle)
    leaves = gokart.ListTaskInstanceParameter(expected_elements_type=ParamsLeaf)


class ParamsSpecialLeaf(ParamsLeaf):
    pass


class ParamsPlainLuigi(luigi.Task):
    x = luigi.IntParameter()


def _decoded_params(serialized_task: str) -> dict[str, str]:
    payload = json.loads(serialized_task)
    return json.loads(bz2.decompress(bytes.fromhex(payload["params"])).decode())


def _fresh() -> None:
    """Forget luigi's cached instances, so parsing has to build new, equal objects."""
    Register.clear_instance_cache()


# ----- TaskInstanceParameter -----------------------------------------------------------------------


def test_task_instance_parameter_serialized_form() -> None:
    serialized = gokart.TaskInstanceParameter().serialize(ParamsLeaf(v=2, note="left out"))
    payload = json.loads(serialized)
    assert list(payload) == ["type", "params"]
    assert payload["type"] == "ParamsLeaf"
    assert _decoded_params(serialized) == {"v": "2"}  # significant params only
    assert bz2.compress(json.dumps({"v": "2"}).encode()).hex() == payload["params"]
    assert gokart.TaskInstanceParameter().serialize(ParamsEmpty()) == (
        '{"type": "ParamsEmpty", "params": "' + _EMPTY_PARAMS_BZ2 + '"}'
    )


def test_task_instance_parameter_round_trip() -> None:
    param = gokart.TaskInstanceParameter()
    original = ParamsLeaf(v=2)
    serialized = param.serialize(original)
    _fresh()
    parsed = param.parse(serialized)
    assert parsed is not original
    assert parsed == original
    assert type(parsed) is ParamsLeaf
    assert parsed.v == 2
    assert parsed.make_unique_id() == original.make_unique_id()


def test_task_instance_parameter_round_trip_drops_insignificant_values() -> None:
    param = gokart.TaskInstanceParameter()
    serialized = param.serialize(ParamsLeaf(v=2, note="changed"))
    _fresh()
    assert param.parse(serialized).note == "n"


def test_nested_task_instance_parameters_round_trip() -> None:
    param = gokart.TaskInstanceParameter()
    original = ParamsTop(
        middle=ParamsMiddle(child=ParamsMiddle(child=ParamsLeaf(v=3), items=[4]), items=["a", "b"]),
        leaves=[ParamsLeaf(v=1), ParamsSpecialLeaf(v=2)],
    )
    serialized = param.serialize(original)
    inner = json.loads(_decoded_params(serialized)["middle"])
    assert inner["type"] == "ParamsMiddle"
    _fresh()
    parsed = param.parse(serialized)
    assert parsed == original
    assert parsed.make_unique_id() == original.make_unique_id()
    assert type(parsed.middle.child.child) is ParamsLeaf
    assert parsed.middle.child.child.v == 3
    assert parsed.middle.child.items == (4,)
    assert parsed.middle.items == ("a", "b")
    assert [type(leaf) for leaf in parsed.leaves] == [ParamsLeaf, ParamsSpecialLeaf]


def test_task_instance_parameter_parses_gokart_dict_form() -> None:
    # gokart's parse() also takes the decoded dict: {'type': family, 'params': {name: serialized value}}
    parsed = gokart.TaskInstanceParameter().parse({"type": "ParamsLeaf", "params": {"v": "7"}})
    assert parsed == ParamsLeaf(v=7)


def test_task_instance_parameter_from_str_params_of_the_holder() -> None:
    original = ParamsMiddle(child=ParamsLeaf(v=5))
    str_params = original.to_str_params()
    _fresh()
    rebuilt = ParamsMiddle.from_str_params(str_params)
    assert rebuilt == original
    assert rebuilt.child == ParamsLeaf(v=5)


def test_task_instance_parameter_expected_type_violation_raises_type_error() -> None:
    with pytest.raises(TypeError, match="ParamsMiddle"):
        ParamsTop(middle=ParamsLeaf(v=1), leaves=[])


def test_task_instance_parameter_rejects_a_non_task() -> None:
    with pytest.raises(TypeError):
        ParamsMiddle(child=3)


def test_task_instance_parameter_expected_type_accepts_subclasses() -> None:
    class ParamsMiddleSubclass(ParamsMiddle):
        pass

    task = ParamsTop(middle=ParamsMiddleSubclass(child=ParamsEmpty()), leaves=[])
    assert isinstance(task.middle, ParamsMiddleSubclass)


# ----- ListTaskInstanceParameter -------------------------------------------------------------------


def test_list_task_instance_parameter_holds_a_tuple() -> None:
    task = ParamsTop(middle=ParamsMiddle(child=ParamsEmpty()), leaves=[ParamsLeaf(v=1), ParamsLeaf(v=2)])
    assert task.leaves == (ParamsLeaf(v=1), ParamsLeaf(v=2))
    assert isinstance(task.leaves, tuple)


def test_list_task_instance_parameter_serialized_form_and_round_trip() -> None:
    param = gokart.ListTaskInstanceParameter()
    original = [ParamsLeaf(v=1), ParamsEmpty()]
    serialized = param.serialize(original)
    items = json.loads(serialized)
    assert items == [gokart.TaskInstanceParameter().serialize(task) for task in original]
    assert param.serialize(tuple(original)) == serialized
    _fresh()
    parsed = param.parse(serialized)
    assert isinstance(parsed, tuple)  # gokart's parse() gives a list; a task holds a tuple under both
    assert parsed == tuple(original)
    assert param.parse("[]") == ()


def test_list_task_instance_parameter_expected_elements_type_violation_raises_type_error() -> None:
    with pytest.raises(TypeError, match="ParamsLeaf"):
        ParamsTop(middle=ParamsMiddle(child=ParamsEmpty()), leaves=[ParamsLeaf(v=1), ParamsEmpty()])


def test_list_task_instance_parameter_accepts_subclass_elements() -> None:
    task = ParamsTop(middle=ParamsMiddle(child=ParamsEmpty()), leaves=[ParamsSpecialLeaf(v=1)])
    assert task.leaves == (ParamsSpecialLeaf(v=1),)


# ----- default requires() --------------------------------------------------------------------------


class ParamsRequiresDefault(gokart.TaskOnKart):
    number = luigi.IntParameter(default=1)
    first = gokart.TaskInstanceParameter()
    many = gokart.ListTaskInstanceParameter()
    none_given = gokart.ListTaskInstanceParameter(default=[])
    last = gokart.TaskInstanceParameter()


def test_default_requires_is_a_dict_keyed_by_parameter_name() -> None:
    first, last = ParamsLeaf(v=1), ParamsEmpty()
    many = [ParamsLeaf(v=2), ParamsLeaf(v=3)]
    task = ParamsRequiresDefault(first=first, many=many, last=last)
    required = task.requires()
    assert required == {"first": first, "many": tuple(many), "last": last}
    assert list(required) == ["first", "many", "last"]  # declaration order; an empty list is left out
    assert set(task.input()) == {"first", "many", "last"}
    assert task.input()["many"][1].path() == many[1].output().path()


def test_default_requires_without_task_parameters_is_an_empty_list() -> None:
    assert ParamsLeaf(v=1).requires() == []
    assert ParamsEmpty().requires() == []


def test_default_requires_feeds_the_unique_id() -> None:
    leaf = ParamsLeaf(v=1)
    task = ParamsMiddle(child=leaf)
    # the child counts twice: through its unique id (requires()) and through its serialized params
    hash_inputs = [leaf.make_unique_id(), task.to_str_params(only_significant=True), "ParamsMiddle"]
    assert task.make_unique_id() == gokart.task.hashing.unique_id_of(hash_inputs)


# ----- ExplicitBoolParameter -----------------------------------------------------------------------


class ParamsFlagTask(gokart.TaskOnKart):
    flag = gokart.ExplicitBoolParameter()


class ParamsFlagDefault(gokart.TaskOnKart):
    flag = gokart.ExplicitBoolParameter(default=True)


@pytest.mark.parametrize(("word", "expected"), [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_explicit_bool_on_the_command_line(word: str, expected: bool) -> None:
    with CmdlineParser.global_instance(["ParamsFlagTask", "--flag", word]) as parser:
        task = parser.get_task_obj()
    assert task.flag is expected
    assert task.to_str_params()["flag"] == str(expected)


def test_explicit_bool_flag_alone_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited, CmdlineParser.global_instance(["ParamsFlagTask", "--flag"]) as parser:
        parser.get_task_obj()
    assert exited.value.code == 2
    assert "--flag" in capsys.readouterr().err


def test_explicit_bool_flag_with_a_non_bool_word_is_a_value_error() -> None:
    with (
        pytest.raises(ValueError, match="Foo"),
        CmdlineParser.global_instance(["ParamsFlagTask", "--flag", "Foo"]) as p,
    ):
        p.get_task_obj()


def test_explicit_bool_has_no_default_unless_given() -> None:
    with pytest.raises(luigi.parameter.MissingParameterException):
        ParamsFlagTask()
    assert ParamsFlagDefault().flag is True
    with CmdlineParser.global_instance(["ParamsFlagDefault"]) as parser:
        assert parser.get_task_obj().flag is True
    with CmdlineParser.global_instance(["ParamsFlagDefault", "--flag", "false"]) as parser:
        assert parser.get_task_obj().flag is False


def test_explicit_bool_serialize_and_parse() -> None:
    param = gokart.ExplicitBoolParameter()
    assert param.serialize(True) == "True"
    assert param.serialize(False) == "False"
    assert param.parse("true") is True
    assert param.parse("False") is False
    assert ParamsFlagTask(flag=True).to_str_params(only_significant=True) == {"flag": "True"}


def test_task_on_kart_knobs_use_explicit_bools_on_the_command_line() -> None:
    with CmdlineParser.global_instance(["ParamsEmpty", "--cache-unique-id", "false"]) as parser:
        assert parser.get_task_obj().cache_unique_id is False
    with pytest.raises(SystemExit), CmdlineParser.global_instance(["ParamsEmpty", "--fail-on-empty-dump"]) as parser:
        parser.get_task_obj()


# ----- SerializableParameter -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ParamsModelConfig:
    layers: int
    rate: float
    comment: str = ""  # deliberately left out of the serialized form, so it does not change the unique id

    def gokart_serialize(self) -> str:
        return json.dumps({"layers": self.layers, "rate": self.rate}, sort_keys=True)

    @classmethod
    def gokart_deserialize(cls, s: str) -> ParamsModelConfig:
        return cls(**json.loads(s))


class ParamsSerializableTask(gokart.TaskOnKart):
    config = gokart.SerializableParameter(object_type=ParamsModelConfig)


def test_serializable_parameter_round_trip() -> None:
    param = gokart.SerializableParameter(object_type=ParamsModelConfig)
    value = ParamsModelConfig(layers=3, rate=0.5, comment="ignored")
    serialized = param.serialize(value)
    assert serialized == '{"layers": 3, "rate": 0.5}'
    assert param.parse(serialized) == ParamsModelConfig(layers=3, rate=0.5)


def test_serializable_parameter_in_a_task() -> None:
    task = ParamsSerializableTask(config=ParamsModelConfig(layers=2, rate=0.1))
    assert task.config == ParamsModelConfig(layers=2, rate=0.1)
    assert task.to_str_params(only_significant=True) == {"config": '{"layers": 2, "rate": 0.1}'}
    rebuilt = ParamsSerializableTask.from_str_params(task.to_str_params())
    assert rebuilt.config == task.config


def test_serializable_parameter_hash_follows_the_serialized_string() -> None:
    plain = ParamsSerializableTask(config=ParamsModelConfig(layers=2, rate=0.1))
    commented = ParamsSerializableTask(config=ParamsModelConfig(layers=2, rate=0.1, comment="x"))
    other = ParamsSerializableTask(config=ParamsModelConfig(layers=3, rate=0.1))
    assert plain.make_unique_id() == commented.make_unique_id()
    assert plain.make_unique_id() != other.make_unique_id()


def test_serializable_parameter_on_the_command_line() -> None:
    with CmdlineParser.global_instance(["ParamsSerializableTask", "--config", '{"layers": 4, "rate": 2.5}']) as parser:
        task = parser.get_task_obj()
    assert task.config == ParamsModelConfig(layers=4, rate=2.5)


# ----- ZonedDateSecondParameter --------------------------------------------------------------------


class ParamsZonedTask(gokart.TaskOnKart):
    when = gokart.ZonedDateSecondParameter()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC)),
        ("2024-01-02T03:04:05+00:00", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC)),
        ("2024-01-02T03:04:05+09:00", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST)),
        ("2024-01-02T03:04:05.250000-05:30", datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=_MINUS_0530)),
    ],
)
def test_zoned_date_second_parse(text: str, expected: datetime.datetime) -> None:
    parsed = gokart.ZonedDateSecondParameter().parse(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_zoned_date_second_serialize_is_isoformat() -> None:
    param = gokart.ZonedDateSecondParameter()
    assert param.serialize(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC)) == "2024-01-02T03:04:05+00:00"
    assert param.serialize(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST)) == "2024-01-02T03:04:05+09:00"


def test_zoned_date_second_drops_microseconds() -> None:
    task = ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, 999999, tzinfo=_JST))
    assert task.when == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST)
    assert task.to_str_params(only_significant=True) == {"when": "2024-01-02T03:04:05+09:00"}
    same = ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST))
    assert task.make_unique_id() == same.make_unique_id()


def test_zoned_date_second_naive_input_warns() -> None:
    with pytest.warns(UserWarning, match="timezone"):
        parsed = gokart.ZonedDateSecondParameter().parse("2024-01-02T03:04:05")
    assert parsed == datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert parsed.tzinfo is None


def test_zoned_date_second_aware_input_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gokart.ZonedDateSecondParameter().parse("2024-01-02T03:04:05Z")
        ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC))


def test_zoned_date_second_on_the_command_line() -> None:
    with CmdlineParser.global_instance(["ParamsZonedTask", "--when", "2024-01-02T03:04:05.123Z"]) as parser:
        task = parser.get_task_obj()
    assert task.when == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC)


def test_zoned_date_second_same_instant_in_two_zones_gives_two_tasks() -> None:
    # Issue 12 finding 21 (the ids are checked against gokart's in test_hashing.py).
    texts = ["2024-01-02T03:04:05+00:00", "2024-01-02T12:04:05+09:00", "2024-01-01T21:34:05-05:30"]
    tasks = [ParamsZonedTask(when=datetime.datetime.fromisoformat(text)) for text in texts]
    assert len({id(task) for task in tasks}) == 3
    assert [task.when.isoformat() for task in tasks] == texts
    assert [task.when.date() for task in tasks] == [datetime.date(2024, 1, 2)] * 2 + [datetime.date(2024, 1, 1)]
    assert ParamsZonedTask(when=datetime.datetime.fromisoformat(texts[1])) is tasks[1]  # the cache still works
    with CmdlineParser.global_instance(["ParamsZonedTask", "--when", texts[2]]) as parser:
        assert parser.get_task_obj() is tasks[2]


def test_zoned_date_second_keeps_the_zone_object_of_each_task() -> None:
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    fixed = ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST))
    named = ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=tokyo))
    assert fixed is not named and named.when.tzinfo is tokyo
    assert fixed.make_unique_id() == named.make_unique_id()  # the same serialised form, as in gokart


def test_zoned_date_second_value_still_behaves_as_a_datetime() -> None:
    when = ParamsZonedTask(when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST)).when
    same_zone = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST)
    assert when == same_zone and same_zone == when and (when != same_zone) is False
    assert when != same_zone.astimezone(_UTC) and same_zone.astimezone(_UTC) != when
    assert hash(when) == hash(same_zone) and when + datetime.timedelta(hours=1) > same_zone
    assert repr(when) == repr(same_zone)
    assert pickle.loads(pickle.dumps(when)) == when


# ----- task parameters on the command line ---------------------------------------------------------


def test_task_instance_parameter_on_the_command_line() -> None:
    serialized = gokart.TaskInstanceParameter().serialize(ParamsLeaf(v=9))
    leaves = gokart.ListTaskInstanceParameter().serialize([ParamsLeaf(v=1)])
    middle = gokart.TaskInstanceParameter().serialize(ParamsMiddle(child=ParamsLeaf(v=9)))
    _fresh()
    with CmdlineParser.global_instance(["ParamsMiddle", "--child", serialized]) as parser:
        assert parser.get_task_obj() == ParamsMiddle(child=ParamsLeaf(v=9))
    with CmdlineParser.global_instance(["ParamsTop", "--middle", middle, "--leaves", leaves]) as parser:
        task = parser.get_task_obj()
    assert task.leaves == (ParamsLeaf(v=1),)
    assert task.requires() == {"middle": ParamsMiddle(child=ParamsLeaf(v=9)), "leaves": (ParamsLeaf(v=1),)}


def test_task_instance_parameter_of_the_wrong_type_on_the_command_line() -> None:
    serialized = gokart.TaskInstanceParameter().serialize(ParamsLeaf(v=9))
    leaves = gokart.ListTaskInstanceParameter().serialize([])
    with (
        pytest.raises(TypeError),
        CmdlineParser.global_instance(["ParamsTop", "--middle", serialized, "--leaves", leaves]) as parser,
    ):
        parser.get_task_obj()


@pytest.mark.parametrize("not_a_class", [1, "ParamsLeaf", ParamsLeaf(v=1)])
def test_task_instance_parameter_expected_type_must_be_a_class(not_a_class: object) -> None:
    with pytest.raises(TypeError, match="expected_type"):
        gokart.TaskInstanceParameter(expected_type=not_a_class)  # type: ignore[arg-type]


@pytest.mark.parametrize("not_a_class", [1, "ParamsLeaf", ParamsLeaf(v=1)])
def test_list_task_instance_parameter_expected_elements_type_must_be_a_class(not_a_class: object) -> None:
    with pytest.raises(TypeError, match="expected_elements_type"):
        gokart.ListTaskInstanceParameter(expected_elements_type=not_a_class)  # type: ignore[arg-type]
