"""Typed tasks without a plugin: TaskOnKart's PEP 681 marking, its parameters' types, and typed ``load``.

A task whose parameters are annotated with their parameter types (``n: luigi.IntParameter = ...``) gets the
same answers from pyright (basedpyright, standard mode), from plain mypy and from mypy with kartcore.mypy:
unknown and mistyped arguments, instance attributes typed by their values, ``self.load(self.upstream)`` typed
by the upstream's ``TaskOnKart[T]``. (TaskOnKart's own parameters, ``rerun=...``, are arguments for mypy with the
plugin only; see test_unannotated_parameters_pass_plain_mypy for why.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kartcore import TaskOnKart
from tests.kartcore.typecheckers import expected, mypy, pyright

pytestmark = pytest.mark.slow  # real type checker processes (seconds each)

TYPED = """
    import luigi
    import kartcore


    class Upstream(kartcore.TaskOnKart[int]):
        def run(self) -> None:
            self.dump(1)


    class Downstream(kartcore.TaskOnKart[str]):
        size: luigi.IntParameter = luigi.IntParameter()
        name: luigi.Parameter[str] = luigi.Parameter()
        limit: luigi.OptionalIntParameter = luigi.OptionalIntParameter(default=None)
        strict: kartcore.ExplicitBoolParameter = kartcore.ExplicitBoolParameter(default=False)
        upstream: kartcore.TaskInstanceParameter[Upstream] = kartcore.TaskInstanceParameter(expected_type=Upstream)
        upstreams: kartcore.ListTaskInstanceParameter[Upstream] = kartcore.ListTaskInstanceParameter()

        def run(self) -> None:
            reveal_type(self.size)  # N: Revealed type is "int"
            reveal_type(self.limit)  # N: Revealed type is "int | None"
            reveal_type(self.upstream)  # N: Revealed type is "typed_case.Upstream"
            reveal_type(self.load(self.upstream))  # N: Revealed type is "int"
            reveal_type(self.load(self.upstreams))  # N: Revealed type is "list[int]"
            reveal_type(self.load("upstream"))  # N: Revealed type is "Any"
            self.dump(self.name)
            self.dump(self.size)  # E: No overload variant of "dump" of "TaskOnKart" matches argument type "int"  [call-overload]
            self.dump(self.size, "other")


    Downstream(size=1, name="n", limit=None, strict=True, upstream=Upstream(), upstreams=[Upstream()])
    Downstream()
    Downstream(size="1")  # E: Argument "size" to "Downstream" has incompatible type "str"; expected "int"  [arg-type]
    Downstream(bogus=1)  # E: Unexpected keyword argument "bogus" for "Downstream"  [call-arg]
    Downstream(upstream=Downstream())  # E: Argument "upstream" to "Downstream" has incompatible type "Downstream"; expected "Upstream"  [arg-type]
"""  # noqa: E501

#: What pyright says on the lines marked for mypy, in order (first line of each message).
PYRIGHT = [
    'Type of "self.size" is "int"',
    'Type of "self.limit" is "int | None"',
    'Type of "self.upstream" is "Upstream"',
    'Type of "self.load(self.upstream)" is "int"',
    'Type of "self.load(self.upstreams)" is "list[int]"',
    'Type of "self.load("upstream")" is "Any"',
    'Argument of type "int" cannot be assigned to parameter "obj" of type "str" in function "dump"',
    'Argument of type "Literal[\'1\']" cannot be assigned to parameter "size" of type "int" in function "__init__"',
    'No parameter named "bogus" (reportCallIssue)',
    'Argument of type "Downstream" cannot be assigned to parameter "upstream" of type "Upstream" in function "__init__"',  # noqa: E501
]


def test_pyright_without_plugin(tmp_path: Path) -> None:
    checked = pyright(tmp_path, "typed_case", TYPED)
    same_lines = [(line, kind, message) for (line, kind, _), message in zip(expected(TYPED), PYRIGHT, strict=True)]
    assert checked.reported == same_lines, checked.stdout
    assert checked.returncode == 1


@pytest.mark.parametrize("plugin", [None, "kartcore.mypy"])
def test_mypy_with_and_without_plugin(tmp_path: Path, mypy_cache: Path, plugin: str) -> None:
    checked = mypy(tmp_path, "typed_case", TYPED, plugin=plugin, cache=mypy_cache)
    assert checked.reported == expected(TYPED), checked.stdout
    assert checked.returncode == 1


UNANNOTATED = """
    import luigi
    import kartcore


    class Split(kartcore.TaskOnKart[float]):
        ratio = luigi.FloatParameter(default=0.3)

        def run(self) -> None:
            reveal_type(self.ratio)  # N: Revealed type is "float"
            self.dump(self.ratio)


    Split(ratio=0.5, rerun=True)
"""


def test_unannotated_parameters_pass_plain_mypy(tmp_path: Path, mypy_cache: Path) -> None:
    """Without the plugin, mypy generates no PEP 681 ``__init__`` while no parameter is annotated: anything goes.

    Why TaskOnKart's own parameters carry no annotations: with them, mypy would generate an ``__init__`` of the
    annotated ones only, and ``Split(ratio=0.5)`` would be an error in every project that does not use the plugin.
    """
    checked = mypy(tmp_path, "plain_case", UNANNOTATED, plugin=None, cache=mypy_cache)
    assert checked.reported == expected(UNANNOTATED), checked.stdout
    assert checked.returncode == 0
    assert not TaskOnKart.__annotations__.keys() & {name for name, _ in TaskOnKart.get_params()}
