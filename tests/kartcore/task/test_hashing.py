"""Golden tests of the unique id: the same task definitions must hash exactly as under gokart 1.12.2.

The task classes between the two ``golden definitions`` marker lines below are plain gokart code
(``gokart`` is ``kartcore`` here). ``test_golden_ids_match_gokart_live`` executes that very block under the
real gokart in a subprocess and evaluates every expression of :data:`GOLDEN` there, so the hard-coded ids
and the definitions cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import luigi
import pytest

import kartcore as gokart
from kartcore.errors import TaskDefinitionError
from kartcore.task.hashing import unique_id_of

DEFINITIONS_START = "# >>> golden definitions (executed as-is under gokart by the live test)"
DEFINITIONS_END = "# <<< golden definitions"

# >>> golden definitions (executed as-is under gokart by the live test)
# Only the names gokart, luigi, datetime, enum and dataclasses may be used in this block.


class Color(enum.Enum):
    A = 1
    B = 2


@dataclasses.dataclass(frozen=True)
class Window:
    start: int
    end: int
    label: str = "not part of the serialized form"

    def gokart_serialize(self):
        return f"{self.start}-{self.end}"

    @classmethod
    def gokart_deserialize(cls, s):
        start, end = s.split("-")
        return cls(int(start), int(end))


class Example(gokart.TaskOnKart):
    pass


class SampleTask(gokart.TaskOnKart):
    param = luigi.Parameter()


class WithParams(gokart.TaskOnKart):
    a = luigi.IntParameter()
    b = luigi.Parameter()
    ns = luigi.Parameter(significant=False)
    dep = gokart.TaskInstanceParameter()


class UidChild(gokart.TaskOnKart):
    v = luigi.IntParameter()


class UidInt(gokart.TaskOnKart):
    value = luigi.IntParameter()


class UidFloat(gokart.TaskOnKart):
    value = luigi.FloatParameter()


class UidBool(gokart.TaskOnKart):
    value = luigi.BoolParameter()


class UidStr(gokart.TaskOnKart):
    value = luigi.Parameter()


class UidOptional(gokart.TaskOnKart):
    value = luigi.OptionalParameter(default=None)


class UidList(gokart.TaskOnKart):
    value = luigi.ListParameter()


class UidDict(gokart.TaskOnKart):
    value = luigi.DictParameter()


class UidDate(gokart.TaskOnKart):
    value = luigi.DateParameter()


class UidDateSecond(gokart.TaskOnKart):
    value = luigi.DateSecondParameter()


class UidTimeDelta(gokart.TaskOnKart):
    value = luigi.TimeDeltaParameter()


class UidEnum(gokart.TaskOnKart):
    value = luigi.EnumParameter(enum=Color)


class UidExplicitBool(gokart.TaskOnKart):
    value = gokart.ExplicitBoolParameter()


class UidZoned(gokart.TaskOnKart):
    value = gokart.ZonedDateSecondParameter()


class UidTaskInstance(gokart.TaskOnKart):
    value = gokart.TaskInstanceParameter()


class UidListTaskInstance(gokart.TaskOnKart):
    value = gokart.ListTaskInstanceParameter()


class UidSerializable(gokart.TaskOnKart):
    value = gokart.SerializableParameter(object_type=Window)


class UidManyParams(gokart.TaskOnKart):
    count = luigi.IntParameter(default=7)
    name = luigi.Parameter(default="it's")
    when = luigi.DateParameter(default=datetime.date(2024, 1, 2))
    tags = luigi.ListParameter(default=[1, "a"])


class UidInsignificant(gokart.TaskOnKart):
    a = luigi.IntParameter()
    note = luigi.Parameter(significant=False)


class UidPrivate(gokart.TaskOnKart):
    a = luigi.IntParameter()
    secret = luigi.Parameter(visibility=luigi.parameter.ParameterVisibility.PRIVATE)


class UidHidden(gokart.TaskOnKart):
    a = luigi.IntParameter()
    hidden = luigi.Parameter(visibility=luigi.parameter.ParameterVisibility.HIDDEN)


class UidRequiresTask(gokart.TaskOnKart):
    def requires(self):
        return Example()


class UidRequiresList(gokart.TaskOnKart):
    reverse = luigi.BoolParameter(significant=False)

    def requires(self):
        tasks = [Example(), SampleTask(param="hello")]
        return tasks[::-1] if self.reverse else tasks


class UidRequiresDict(gokart.TaskOnKart):
    def requires(self):
        return {"second": SampleTask(param="hello"), "first": Example()}


class UidRequiresNone(gokart.TaskOnKart):
    def requires(self):
        return None


class UidRequiresInsignificant(gokart.TaskOnKart):
    def requires(self):
        return [Example(significant=False), SampleTask(param="hello")]


class UidPlainLuigi(luigi.Task):
    x = luigi.IntParameter()
    note = luigi.Parameter(default="n", significant=False)


class UidRequiresPlain(gokart.TaskOnKart):
    def requires(self):
        return [UidPlainLuigi(x=5, note="not hashed"), Example()]


class UidHolder(gokart.TaskOnKart):
    child = gokart.TaskInstanceParameter()


class UidMoved(gokart.TaskOnKart):
    pass


UidMovedOtherModule = type("UidMoved", (gokart.TaskOnKart,), {"__module__": "somewhere.else.entirely"})
UidMovedNamespaced = type("UidMoved", (gokart.TaskOnKart,), {"task_namespace": "elsewhere"})


def _ordered(names):
    # Parameters are created in the order of ``names``: that creation order is the hash order.
    return type("UidOrdered", (gokart.TaskOnKart,), {name: luigi.IntParameter() for name in names})


UidOrderedAB = _ordered("ab")
UidOrderedBA = _ordered("ba")


class UidBase(gokart.TaskOnKart):
    z = luigi.IntParameter()


class UidDerived(UidBase):
    a = luigi.IntParameter()


_UTC = datetime.timezone.utc
_JST = datetime.timezone(datetime.timedelta(hours=9))
_MINUS_0530 = datetime.timezone(-datetime.timedelta(hours=5, minutes=30))

# <<< golden definitions

# (case, expression evaluated against this module's globals, unique id produced by gokart 1.12.2).
# Every id below was produced by running these same definitions and expressions under gokart 1.12.2
# (luigi 3.8.1); test_golden_ids_match_gokart_live re-checks them against the installed gokart.
GOLDEN: list[tuple[str, str, str]] = [
    # the reference's golden vectors
    ("example", "Example()", "8441c59b5ce0113396d53509f19371fb"),
    ("task_on_kart", "gokart.TaskOnKart()", "7757badf81370beccb26f204c5bddba5"),
    ("sample_task", "SampleTask(param='hello')", "22d2ff1bf0b8cac4b3bb40608255a6c4"),
    ("with_params", "WithParams(a=1, b='x', ns='ignored', dep=Example())", "a51dcc4290028d7e8dc08e1563223325"),
    # every TaskOnKart knob is insignificant
    (
        "example_knobs",
        "Example(workspace_directory='/elsewhere', rerun=True, strict_check=True)",
        "8441c59b5ce0113396d53509f19371fb",
    ),
    # luigi parameter types
    ("int", "UidInt(value=3)", "4cc82476fe510f506d2f933106b45e29"),
    ("float", "UidFloat(value=0.5)", "587b07f35e0a58be326ddcc1e5beff9c"),
    ("bool_true", "UidBool(value=True)", "2e8768009f60a4e82db55e319986ad67"),
    ("bool_false", "UidBool(value=False)", "144e667f78ad1aa798c7761632e74cec"),
    ("str_with_quote", 'UidStr(value="it\'s")', "5bf2e7b22944527a1de6d7fe7691cb1f"),
    ("str_with_both_quotes", "UidStr(value='say \"it\\'s\"')", "0bed38cb888c4a33969a0ccc2a510a63"),
    ("str_non_ascii", "UidStr(value='日本語 é')", "55eabc58292402396888b514110615e6"),
    ("optional_none", "UidOptional()", "2e9a75ef1a6c690bb852d1115d7bf1ca"),
    ("optional_value", "UidOptional(value='x')", "ce62c42a9aa12a4ac2ed306cd502aa27"),
    ("list", "UidList(value=[1, 'a'])", "1ba5b6aac8427763c976a9abf6b9b863"),
    ("dict", "UidDict(value={'k': [1, 2]})", "3985c3884dce7e840ceabf19ec47fa00"),
    ("dict_nested", "UidDict(value={'b': {'y': 1, 'x': None}, 'a': 'é'})", "f40d3e880ac7ccf65d870edc46cda05e"),
    ("date", "UidDate(value=datetime.date(2024, 1, 2))", "eb572b13723bea50af6f663de94e8a0a"),
    ("date_second", "UidDateSecond(value=datetime.datetime(2024, 1, 2, 3, 4, 5))", "8c4f970b7caaeb5f4bc8cb83cd3adeae"),
    ("time_delta", "UidTimeDelta(value=datetime.timedelta(hours=1))", "87a356158f65604fc242a3ee762c80e7"),
    (
        "time_delta_mixed",
        "UidTimeDelta(value=datetime.timedelta(days=9, seconds=61))",
        "aa1fbcb9160b6f1ae45fb838ebd5bc55",
    ),
    ("enum", "UidEnum(value=Color.A)", "8609f5e85e7543546e74373b5918ad45"),
    ("many_params_defaults", "UidManyParams()", "8fa4b2732b32c2059fa15699bfa9fa42"),
    # kartcore's (gokart's) parameter types
    ("explicit_bool_true", "UidExplicitBool(value=True)", "987f082b56fdf737c5b885b0efe7065c"),
    ("explicit_bool_false", "UidExplicitBool(value=False)", "8fbdcf9db118f4cd57b7703057fb565a"),
    (
        "zoned_utc",
        "UidZoned(value=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC))",
        "040a66a40d2475597c0679f4caa24bf0",
    ),
    (
        "zoned_utc_micro",
        "UidZoned(value=datetime.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=_UTC))",
        "040a66a40d2475597c0679f4caa24bf0",
    ),
    (
        "zoned_jst",
        "UidZoned(value=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_JST))",
        "9d1d936006e6157f3b89a797020a9b12",
    ),
    (
        "zoned_jst_same_instant_as_utc",
        "UidZoned(value=datetime.datetime(2024, 1, 2, 12, 4, 5, tzinfo=_JST))",
        "aaaa72f42bede48fd6970e89b426e444",
    ),
    (
        "zoned_minus_0530_same_instant_as_utc",
        "UidZoned(value=datetime.datetime(2024, 1, 1, 21, 34, 5, tzinfo=_MINUS_0530))",
        "aeadc1b90c5a29cf553d4199a46e42ad",
    ),
    ("task_instance", "UidTaskInstance(value=UidChild(v=2))", "823ea76ac944d45fa5e64f09aca88323"),
    (
        "task_instance_nested",
        "UidTaskInstance(value=UidTaskInstance(value=UidChild(v=2)))",
        "6e9e93b44df11107587514a859b4c93f",
    ),
    ("list_task_instance", "UidListTaskInstance(value=[UidChild(v=2), Example()])", "d60ae6018f5b1b97741dc71c5db29d84"),
    (
        "list_task_instance_tuple",
        "UidListTaskInstance(value=(UidChild(v=2), Example()))",
        "d60ae6018f5b1b97741dc71c5db29d84",
    ),
    ("serializable", "UidSerializable(value=Window(1, 5))", "ce78047f2160f26bc7c3d3ce01530075"),
    ("serializable_label", "UidSerializable(value=Window(1, 5, label='other'))", "ce78047f2160f26bc7c3d3ce01530075"),
    # insignificant, private and hidden parameters
    ("insignificant_x", "UidInsignificant(a=1, note='x')", "c1890621924e5f8978c1382a61251b39"),
    ("insignificant_y", "UidInsignificant(a=1, note='y')", "c1890621924e5f8978c1382a61251b39"),
    ("private_x", "UidPrivate(a=1, secret='x')", "d0ae77640368d34eeb078c95533e7ab1"),
    ("private_y", "UidPrivate(a=1, secret='y')", "d0ae77640368d34eeb078c95533e7ab1"),
    ("hidden_x", "UidHidden(a=1, hidden='x')", "ceb095aa8b9fdeb847165682df38ce5b"),
    ("hidden_y", "UidHidden(a=1, hidden='y')", "ef9990dcbaaef630930b6ab3c6b6de37"),
    # requires() as a task, a list, a dict, None; insignificant and plain luigi requirements
    ("requires_task", "UidRequiresTask()", "1e3ca00e557c5049f631e137700e7f3a"),
    ("requires_list", "UidRequiresList()", "ffc629fde03f5be98d1cc07231fb7fc6"),
    ("requires_list_reversed", "UidRequiresList(reverse=True)", "d6aa320825ea12b94e9fb97009cc35e2"),
    ("requires_dict", "UidRequiresDict()", "4a66dd96d423ae2fa9b857d345fa8f32"),
    ("requires_none", "UidRequiresNone()", "f287f1335c8d3f3a7fae1c1ccac0f212"),
    ("requires_insignificant", "UidRequiresInsignificant()", "51ea5a0a349cffcdda3153c356cec785"),
    ("requires_plain_luigi", "UidRequiresPlain()", "f9d3667a0624ed73a3e9807ac4348746"),
    # a task parameter counts through its serialized params, and through its id unless insignificant
    ("holder_child", "UidHolder(child=Example())", "1042f5964fc354a27c56c399f00f78fe"),
    ("holder_insignificant_child", "UidHolder(child=Example(significant=False))", "bb7bc31e9e63655f162f447283c46d19"),
    ("holder_moved", "UidHolder(child=UidMoved())", "6dc8a44ddb6f95f6aa3a1038c9460129"),
    ("holder_moved_other_module", "UidHolder(child=UidMovedOtherModule())", "6dc8a44ddb6f95f6aa3a1038c9460129"),
    ("holder_moved_namespaced", "UidHolder(child=UidMovedNamespaced())", "cb16f18437b1588b436f131253a92f94"),
    # the class name counts, not the module nor the task_namespace
    ("moved", "UidMoved()", "cfe23042a776c36685fcb5e8d971363e"),
    ("moved_other_module", "UidMovedOtherModule()", "cfe23042a776c36685fcb5e8d971363e"),
    ("moved_namespaced", "UidMovedNamespaced()", "cfe23042a776c36685fcb5e8d971363e"),
    # parameter creation order counts (parent-class parameters first)
    ("ordered_ab", "UidOrderedAB(a=1, b=2)", "90cdfc8b016f429c942ada5267d45691"),
    ("ordered_ba", "UidOrderedBA(a=1, b=2)", "e8105fe024d6be35469cd0a96a5776b4"),
    ("derived", "UidDerived(a=1, z=2)", "ae70e2dc258afb1d5f6e3695dcd08901"),
]

_GOLDEN_IDS = {case: expected for case, _, expected in GOLDEN}


def _build(expression: str) -> Any:
    return eval(expression, globals())


@pytest.mark.parametrize(("expression", "expected"), [(e, u) for _, e, u in GOLDEN], ids=[c for c, _, _ in GOLDEN])
def test_make_unique_id_matches_gokart(expression: str, expected: str) -> None:
    assert _build(expression).make_unique_id() == expected


# The pure core: md5 of the Python repr of the hash inputs. The inputs are the serialized forms gokart uses.
_EMPTY_PARAMS_BZ2 = "425a6839314159265359a726dd4e0000000080000a2000210082b177245385090a726dd4e0"
PURE: list[tuple[str, list[Any], str]] = [
    ("example", [{}, "Example"], _GOLDEN_IDS["example"]),
    ("task_on_kart", [{}, "TaskOnKart"], _GOLDEN_IDS["task_on_kart"]),
    ("sample_task", [{"param": "hello"}, "SampleTask"], _GOLDEN_IDS["sample_task"]),
    (
        "with_params",
        [
            _GOLDEN_IDS["example"],
            {"a": "1", "b": "x", "dep": '{"type": "Example", "params": "' + _EMPTY_PARAMS_BZ2 + '"}'},
            "WithParams",
        ],
        _GOLDEN_IDS["with_params"],
    ),
    ("int", [{"value": "3"}, "UidInt"], _GOLDEN_IDS["int"]),
    ("float", [{"value": "0.5"}, "UidFloat"], _GOLDEN_IDS["float"]),
    ("bool", [{"value": "True"}, "UidBool"], _GOLDEN_IDS["bool_true"]),
    ("str_with_quote", [{"value": "it's"}, "UidStr"], _GOLDEN_IDS["str_with_quote"]),
    ("optional_none", [{"value": ""}, "UidOptional"], _GOLDEN_IDS["optional_none"]),
    ("list", [{"value": '[1, "a"]'}, "UidList"], _GOLDEN_IDS["list"]),
    ("dict", [{"value": '{"k": [1, 2]}'}, "UidDict"], _GOLDEN_IDS["dict"]),
    ("date", [{"value": "2024-01-02"}, "UidDate"], _GOLDEN_IDS["date"]),
    ("date_second", [{"value": "2024-01-02T030405"}, "UidDateSecond"], _GOLDEN_IDS["date_second"]),
    ("time_delta", [{"value": "0 w 0 d 1 h 0 m 0 s"}, "UidTimeDelta"], _GOLDEN_IDS["time_delta"]),
    ("enum", [{"value": "A"}, "UidEnum"], _GOLDEN_IDS["enum"]),
    ("explicit_bool", [{"value": "False"}, "UidExplicitBool"], _GOLDEN_IDS["explicit_bool_false"]),
    ("zoned", [{"value": "2024-01-02T03:04:05+00:00"}, "UidZoned"], _GOLDEN_IDS["zoned_utc"]),
    ("zoned_jst", [{"value": "2024-01-02T03:04:05+09:00"}, "UidZoned"], _GOLDEN_IDS["zoned_jst"]),
    ("serializable", [{"value": "1-5"}, "UidSerializable"], _GOLDEN_IDS["serializable"]),
    ("requires_task", [_GOLDEN_IDS["example"], {}, "UidRequiresTask"], _GOLDEN_IDS["requires_task"]),
    (
        "requires_dict_in_insertion_order",
        [_GOLDEN_IDS["sample_task"], _GOLDEN_IDS["example"], {}, "UidRequiresDict"],
        _GOLDEN_IDS["requires_dict"],
    ),
    (
        "insignificant_requirement_left_out",
        [_GOLDEN_IDS["sample_task"], {}, "UidRequiresInsignificant"],
        _GOLDEN_IDS["requires_insignificant"],
    ),
    (
        "plain_luigi_requirement_as_str_params",
        [{"x": "5"}, _GOLDEN_IDS["example"], {}, "UidRequiresPlain"],
        _GOLDEN_IDS["requires_plain_luigi"],
    ),
    ("private_left_out", [{"a": "1"}, "UidPrivate"], _GOLDEN_IDS["private_x"]),
    ("hidden_kept", [{"a": "1", "hidden": "x"}, "UidHidden"], _GOLDEN_IDS["hidden_x"]),
    ("parent_params_first", [{"z": "2", "a": "1"}, "UidDerived"], _GOLDEN_IDS["derived"]),
]


@pytest.mark.parametrize(("hash_inputs", "expected"), [(h, u) for _, h, u in PURE], ids=[c for c, _, _ in PURE])
def test_unique_id_of_is_md5_of_the_repr(hash_inputs: list[Any], expected: str) -> None:
    assert unique_id_of(hash_inputs) == expected
    assert hashlib.md5(repr(hash_inputs).encode()).hexdigest() == expected


@pytest.mark.parametrize(
    ("same", "different"),
    [
        (["example", "example_knobs"], []),
        (["insignificant_x", "insignificant_y"], []),
        (["private_x", "private_y"], []),
        ([], ["hidden_x", "hidden_y"]),
        (["zoned_utc", "zoned_utc_micro"], ["zoned_utc", "zoned_jst"]),
        (["serializable", "serializable_label"], []),
        (["list_task_instance", "list_task_instance_tuple"], []),
        ([], ["requires_list", "requires_list_reversed"]),
        ([], ["holder_child", "holder_insignificant_child"]),
        (["moved", "moved_other_module", "moved_namespaced"], []),
        (["holder_moved", "holder_moved_other_module"], ["holder_moved", "holder_moved_namespaced"]),
        ([], ["ordered_ab", "ordered_ba"]),
        ([], ["example", "requires_none", "task_on_kart"]),
    ],
)
def test_what_does_and_does_not_change_the_id(same: list[str], different: list[str]) -> None:
    expressions = {case: expression for case, expression, _ in GOLDEN}
    same_ids = set()
    for case in same:
        luigi.task_register.Register.clear_instance_cache()
        same_ids.add(_build(expressions[case]).make_unique_id())
    assert len(same_ids) <= 1
    different_ids = set()
    for case in different:
        luigi.task_register.Register.clear_instance_cache()
        different_ids.add(_build(expressions[case]).make_unique_id())
    assert len(different_ids) == len(different)


def test_unique_id_does_not_depend_on_module_of_the_class() -> None:
    assert UidMovedOtherModule.__module__ == "somewhere.else.entirely"
    assert UidMovedNamespaced.get_task_family() == "elsewhere.UidMoved"
    assert (
        UidMoved().make_unique_id() == UidMovedOtherModule().make_unique_id() == UidMovedNamespaced().make_unique_id()
    )


def test_luigi_instance_cache_returns_the_first_parent_for_children_differing_only_in_insignificant_params() -> None:
    # luigi compares task-valued parameters by task_id, so this quirk is gokart's too (reference section 2.3).
    first = UidHolder(child=Example())
    second = UidHolder(child=Example(significant=False))
    assert second is first
    assert second.make_unique_id() == _GOLDEN_IDS["holder_child"]


def test_the_same_instant_in_three_zones_gives_three_tasks_with_gokarts_ids() -> None:
    # Issue 12 finding 21: luigi's instance cache handed the UTC task to the later callers (the golden ids
    # are gokart's for each zone alone: under gokart, the second and third calls get the first's id).
    cases = ["zoned_utc", "zoned_jst_same_instant_as_utc", "zoned_minus_0530_same_instant_as_utc"]
    tasks = [_build(expression) for case, expression, _ in GOLDEN if case in cases]
    assert [task.make_unique_id() for task in tasks] == [_GOLDEN_IDS[case] for case in cases]
    assert [task.value.hour for task in tasks] == [3, 12, 21]


_LIVE_SCRIPT = """
import dataclasses, datetime, enum, importlib.metadata, json, sys, types
import luigi
from luigi.task_register import Register
import gokart

path, start_marker, end_marker = sys.argv[1:4]
lines = open(path, encoding="utf-8").read().splitlines()
start, end = lines.index(start_marker), lines.index(end_marker)
module = types.ModuleType("golden_definitions")
sys.modules[module.__name__] = module
module.__dict__.update(gokart=gokart, luigi=luigi, datetime=datetime, enum=enum, dataclasses=dataclasses)
exec(compile("\\n" * start + "\\n".join(lines[start:end]), path, "exec"), module.__dict__)
ids = {}
for case, expression in json.load(sys.stdin):
    Register.clear_instance_cache()
    ids[case] = eval(expression, module.__dict__).make_unique_id()
print(json.dumps({"gokart": importlib.metadata.version("gokart"), "ids": ids}))
"""


@pytest.mark.slow
def test_golden_ids_match_gokart_live(tmp_path: Path) -> None:
    if importlib.util.find_spec("gokart") is None:
        pytest.skip("gokart is not importable in this environment, so there is nothing to compare against live")
    cases = [(case, expression) for case, expression, _ in GOLDEN]
    completed = subprocess.run(
        [sys.executable, "-c", _LIVE_SCRIPT, __file__, DEFINITIONS_START, DEFINITIONS_END],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    live = json.loads(completed.stdout.strip().splitlines()[-1])
    mine = {}
    for case, expression in cases:
        luigi.task_register.Register.clear_instance_cache()
        mine[case] = _build(expression).make_unique_id()
    assert mine == live["ids"], f"kartcore differs from gokart {live['gokart']}"
    assert live["ids"] == _GOLDEN_IDS, f"gokart {live['gokart']} no longer produces the hard-coded ids"


# ----- robustness: deep chains, caching, bad requires() ------------------------------------------


class HashingChain(gokart.TaskOnKart):
    n = luigi.IntParameter()

    def requires(self):
        return HashingChain(n=self.n - 1) if self.n > 0 else []


def test_a_3000_task_chain_gets_its_id_without_recursion_error() -> None:
    depth = 3000
    assert depth > sys.getrecursionlimit()
    expected = unique_id_of([{"n": "0"}, "HashingChain"])
    for n in range(1, depth + 1):
        expected = unique_id_of([expected, {"n": str(n)}, "HashingChain"])
    assert HashingChain(n=depth).make_unique_id() == expected


class HashingRequiresAttribute(gokart.TaskOnKart):
    upstream = "hello"  # a plain attribute, not a parameter: requires() reads it at hashing time

    def requires(self):
        return SampleTask(param=self.upstream)


def test_cache_unique_id_true_computes_once() -> None:
    task = HashingRequiresAttribute()
    first = task.make_unique_id()
    assert first == unique_id_of([_GOLDEN_IDS["sample_task"], {}, "HashingRequiresAttribute"])
    task.upstream = "changed"
    assert task.make_unique_id() == first


def test_cache_unique_id_false_recomputes() -> None:
    task = HashingRequiresAttribute(cache_unique_id=False)
    first = task.make_unique_id()
    assert first == unique_id_of([_GOLDEN_IDS["sample_task"], {}, "HashingRequiresAttribute"])
    task.upstream = "changed"
    second = task.make_unique_id()
    assert second != first
    assert second == unique_id_of([SampleTask(param="changed").make_unique_id(), {}, "HashingRequiresAttribute"])


class HashingRequiresString(gokart.TaskOnKart):
    def requires(self):
        return [Example(), "not-a-task"]


def test_requires_returning_a_string_raises_task_definition_error() -> None:
    with pytest.raises(TaskDefinitionError) as caught:
        HashingRequiresString().make_unique_id()
    message = str(caught.value)
    assert "HashingRequiresString" in message
    assert "'not-a-task'" in message
    assert __file__ in message


class HashingCycleA(gokart.TaskOnKart):
    def requires(self):
        return HashingCycleB()


class HashingCycleB(gokart.TaskOnKart):
    def requires(self):
        return HashingCycleA()


class HashingSelfCycle(gokart.TaskOnKart):
    def requires(self):
        return [Example(), HashingSelfCycle()]


@pytest.mark.parametrize("task_class", [HashingCycleA, HashingSelfCycle])
def test_a_cycle_raises_task_definition_error(task_class: type[gokart.TaskOnKart]) -> None:
    with pytest.raises(TaskDefinitionError, match="cycle"):
        task_class().make_unique_id()


class HashingUncachedCycle(gokart.TaskOnKart):
    calls = 0

    def requires(self):
        type(self).calls += 1
        assert type(self).calls < 1000, "the cycle was not detected: requires() keeps being called"
        return HashingUncachedCycle()


def test_a_cycle_is_detected_when_luigi_instance_cache_is_disabled() -> None:
    # Without luigi's instance cache (disabled, or parameter values that cannot be hashed) every requires()
    # call returns a new but equal object: the cycle must still be detected instead of looping forever.
    HashingUncachedCycle.calls = 0
    luigi.task_register.Register.disable_instance_cache()
    try:
        with pytest.raises(TaskDefinitionError, match="cycle"):
            HashingUncachedCycle().make_unique_id()
    finally:
        luigi.task_register.Register.clear_instance_cache()


def test_default_output_follows_the_unique_id_caching() -> None:
    cached = HashingRequiresAttribute()
    first_path = cached.output().path()
    cached.upstream = "changed"
    assert cached.output().path() == first_path  # the id is cached, so is the output built from it
    uncached = HashingRequiresAttribute(cache_unique_id=False)
    before = uncached.output().path()
    uncached.upstream = "changed"
    after = uncached.output().path()
    assert after != before
    assert after.endswith(f"_{uncached.make_unique_id()}.pkl")
