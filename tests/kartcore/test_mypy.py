"""kartcore.mypy (and gokart.mypy, the drop-in's name for it) run by the real mypy on small projects.

gokart 1.12.2's test_mypy.py is the oracle for the gokart-style cases: ``foo: int = luigi.IntParameter()``
passes, and a wrong argument type is reported as ``Argument "foo" to "MyTask" has incompatible type ...``.
gokart's ``complete_check_at_run`` is kartcore's ``task_completion_check_at_run`` (README: differs from gokart).
Every error and ``reveal_type`` line mypy prints for a case is compared with the ``# E:``/``# N:`` marks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.kartcore.typecheckers import DROPIN, REPO, expected, mypy, write_case

pytestmark = pytest.mark.slow  # each case is a real mypy process (seconds, ~10 s with a cold cache)


#: (the import that names the package ``gokart``, the plugin, whether gokart is the drop-in in compat/gokart)
GOKART_STYLES = [
    pytest.param("import kartcore as gokart", "kartcore.mypy", False, id="kartcore"),
    pytest.param("import gokart", "gokart.mypy", True, id="dropin"),
]

GOKART_STYLE_CLEAN = """
    import datetime

    import luigi
    from luigi import Parameter
    {gokart}


    class Report(gokart.TaskOnKart):
        count: int = luigi.IntParameter()  # type: ignore
        title: str = luigi.Parameter()  # type: ignore
        strict: bool = gokart.ExplicitBoolParameter()
        owner: str = Parameter()
        datetime: datetime.datetime = luigi.DateMinuteParameter(interval=10, default=datetime.datetime(2024, 5, 1))


    Report(count=3, title="t", strict=True, owner="me", task_completion_check_at_run=True)
    Report()  # parameters may come from the config: none is required
"""

GOKART_STYLE_ERRORS = """
    import luigi
    {gokart}


    class Report(gokart.TaskOnKart):
        count: int = luigi.IntParameter()  # type: ignore
        title: str = luigi.Parameter()  # type: ignore
        strict: bool = gokart.ExplicitBoolParameter()


    Report(count="3", strict="yes", task_completion_check_at_run="no")  # E: Argument "count" to "Report" has incompatible type "str"; expected "int"  [arg-type] # E: Argument "strict" to "Report" has incompatible type "str"; expected "bool"  [arg-type] # E: Argument "task_completion_check_at_run" to "Report" has incompatible type "str"; expected "bool"  [arg-type]
"""  # noqa: E501


@pytest.mark.parametrize(("gokart", "plugin", "dropin"), GOKART_STYLES)
def test_gokart_style_task_passes(tmp_path: Path, mypy_cache: Path, gokart: str, plugin: str, dropin: bool) -> None:
    checked = mypy(
        tmp_path, "clean_case", GOKART_STYLE_CLEAN.format(gokart=gokart), plugin=plugin, cache=mypy_cache, dropin=dropin
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Success: no issues found in 1 source file" in checked.stdout


@pytest.mark.parametrize(("gokart", "plugin", "dropin"), GOKART_STYLES)
def test_gokart_style_wrong_arguments(tmp_path: Path, mypy_cache: Path, gokart: str, plugin: str, dropin: bool) -> None:
    source = GOKART_STYLE_ERRORS.format(gokart=gokart)
    checked = mypy(tmp_path, "errors_case", source, plugin=plugin, cache=mypy_cache, dropin=dropin)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert checked.reported == expected(source)
    assert "Found 3 errors in 1 file (checked 1 source file)" in checked.stdout


PARAMETERS = """
    import datetime

    import luigi
    import kartcore


    class Upstream(kartcore.TaskOnKart[int]):
        def run(self) -> None:
            self.dump(1)


    class Base(kartcore.TaskOnKart[str]):
        size = luigi.IntParameter()
        title = luigi.Parameter(default="x")
        limit = luigi.OptionalIntParameter(default=None)
        ratio: float = luigi.FloatParameter(default=0.5)


    class Child(Base):
        size = luigi.IntParameter(default=3)
        upstream = kartcore.TaskInstanceParameter(expected_type=Upstream)
        upstreams = kartcore.ListTaskInstanceParameter(expected_elements_type=Upstream)
        anything = kartcore.TaskInstanceParameter()
        when = kartcore.ZonedDateSecondParameter()
        if datetime.MINYEAR > 0:
            extra = luigi.BoolParameter(default=False)

        def run(self) -> None:
            reveal_type(self.size)  # N: Revealed type is "int"
            reveal_type(self.limit)  # N: Revealed type is "int | None"
            reveal_type(self.ratio)  # N: Revealed type is "float"
            reveal_type(self.upstream)  # N: Revealed type is "case_parameters.Upstream"
            reveal_type(self.upstreams)  # N: Revealed type is "tuple[case_parameters.Upstream, ...]"
            reveal_type(self.anything)  # N: Revealed type is "kartcore.task.task_on_kart.TaskOnKart[Any]"
            reveal_type(self.workspace_directory)  # N: Revealed type is "str"
            self.dump(self.title)

        @classmethod
        def make(cls) -> "Child":  # through type[Child]: not checked, never rejected
            return cls(size=1, title="t")


    class OwnInit(kartcore.TaskOnKart[int]):
        def __init__(self, size: int) -> None:
            super().__init__(size=size)


    when = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
    Child(size=1, title="a", limit=None, ratio=1.5, upstream=Upstream(), upstreams=[Upstream()], when=when, extra=True)
    Child(anything=Child(), upstreams=(Upstream(), Upstream()), workspace_directory="w", rerun=True)
    Child(sise=1)  # E: Unexpected keyword argument "sise" for "Child"  [call-arg]
    Child(size="1")  # E: Argument "size" to "Child" has incompatible type "str"; expected "int"  [arg-type]
    Child(limit="1")  # E: Argument "limit" to "Child" has incompatible type "str"; expected "int | None"  [arg-type]
    Child(upstream=Child())  # E: Argument "upstream" to "Child" has incompatible type "Child"; expected "Upstream"  [arg-type]
    Child(upstreams=[Child()])  # E: List item 0 has incompatible type "Child"; expected "Upstream"  [list-item]
    Child(anything=1)  # E: Argument "anything" to "Child" has incompatible type "int"; expected "TaskOnKart[Any]"  [arg-type]
    Child(when="2024-05-01")  # E: Argument "when" to "Child" has incompatible type "str"; expected "datetime"  [arg-type]
    Child(rerun="yes")  # E: Argument "rerun" to "Child" has incompatible type "str"; expected "bool"  [arg-type]
    Base(extra=True)  # E: Unexpected keyword argument "extra" for "Base"  [call-arg]
    OwnInit(size=2)
    OwnInit(size="2")  # E: Argument "size" to "OwnInit" has incompatible type "str"; expected "int"  [arg-type]
"""  # noqa: E501


def test_parameters_are_checked_as_keyword_arguments(tmp_path: Path, mypy_cache: Path) -> None:
    """Unknown and mistyped arguments, Optional, defaults, task instances, inherited and overridden parameters."""
    checked = mypy(tmp_path, "case_parameters", PARAMETERS, plugin="kartcore.mypy", cache=mypy_cache)
    assert checked.reported == expected(PARAMETERS), checked.stdout
    assert checked.returncode == 1


ANNOTATED = """
    import luigi
    import kartcore


    class Annotated(kartcore.TaskOnKart[int]):
        size: int = luigi.IntParameter()
        name: str = luigi.IntParameter()  # E: Incompatible types in assignment (expression has type "int", variable has type "str")  [assignment]
        count: luigi.IntParameter = luigi.IntParameter()
        items: luigi.ListParameter[tuple[int, ...]] = luigi.ListParameter(default=(1,))

        def run(self) -> None:
            reveal_type(self.count)  # N: Revealed type is "int"
            reveal_type(self.items)  # N: Revealed type is "tuple[int, ...]"
            outside: int = luigi.IntParameter()  # E: Incompatible types in assignment (expression has type "IntParameter", variable has type "int")  [assignment]
            self.dump(self.size + self.count)


    Annotated(size=1, name="n", count=2, items=(3,))
    Annotated(count="2")  # E: Argument "count" to "Annotated" has incompatible type "str"; expected "int"  [arg-type]
"""  # noqa: E501


def test_annotations_give_the_value_type(tmp_path: Path, mypy_cache: Path) -> None:
    """``foo: int = IntParameter()`` is the value type; ``foo: IntParameter = ...`` the parameter (PEP 681 style)."""
    checked = mypy(tmp_path, "case_annotated", ANNOTATED, plugin="kartcore.mypy", cache=mypy_cache)
    assert checked.reported == expected(ANNOTATED), checked.stdout


def test_incremental_run_keeps_the_parameters(tmp_path: Path, mypy_cache: Path) -> None:
    """The parameter names noted in the semantic pass come back from mypy's cache for an unchanged module."""
    tasks = """
        import luigi
        import kartcore


        class Cached(kartcore.TaskOnKart[int]):
            size: int = luigi.IntParameter()
            depth = luigi.IntParameter()
    """
    user = """
        from case_cached_tasks import Cached

        Cached(size="1", depth="2")  # E: Argument "size" to "Cached" has incompatible type "str"; expected "int"  [arg-type] # E: Argument "depth" to "Cached" has incompatible type "str"; expected "int"  [arg-type]
    """  # noqa: E501
    write_case(tmp_path, "case_cached_tasks", tasks)
    first = mypy(tmp_path, "case_cached_user", user, plugin="kartcore.mypy", cache=mypy_cache)
    user_changed = textwrap.dedent(user) + "\nCached(size=1)\n"
    second = mypy(tmp_path, "case_cached_user", user_changed, plugin="kartcore.mypy", cache=mypy_cache)
    assert first.reported == second.reported == expected(user), second.stdout


REQUIRED = """
    import luigi
    {gokart}


    class Report(gokart.TaskOnKart[int]):
        count = luigi.IntParameter()
        title: str = luigi.Parameter()
        limit = luigi.OptionalIntParameter()
        page = luigi.IntParameter(default=1)
        name = luigi.Parameter("positional default")


    Report(count=1, title="t", limit=None)
    Report(count=1, limit=None)  # E: Missing named argument "title" for "Report"  [call-arg]
"""


@pytest.mark.parametrize(("gokart", "plugin", "dropin"), GOKART_STYLES)
def test_disallow_missing_parameters(tmp_path: Path, mypy_cache: Path, gokart: str, plugin: str, dropin: bool) -> None:
    """gokart's setting, under its table name: a parameter declared without a default must be given."""
    source = REQUIRED.format(gokart=gokart)
    settings = "[tool.gokart-mypy]\ndisallow_missing_parameters = true\n"
    checked = mypy(tmp_path, "required_case", source, plugin=plugin, cache=mypy_cache, dropin=dropin, settings=settings)
    assert checked.reported == expected(source), checked.stdout
    assert checked.returncode == 1


#: (a line of [tool.kartcore-mypy], what mypy prints for it after the config file's name)
WRONG_SETTINGS = [
    ("disallow_missing_parameters = 1", "disallow_missing_parameters must be true or false, not 1"),
    (
        "disallow_missing = true",
        "disallow_missing: not a setting of kartcore.mypy (it has: disallow_missing_parameters)",
    ),
]


@pytest.mark.parametrize(("setting", "message"), WRONG_SETTINGS)
def test_a_wrong_setting_stops_mypy_in_one_line(tmp_path: Path, mypy_cache: Path, setting: str, message: str) -> None:
    settings = f"[tool.kartcore-mypy]\n{setting}\n"
    source = "size: int = 1\n"
    checked = mypy(tmp_path, "setting_case", source, plugin="kartcore.mypy", cache=mypy_cache, settings=settings)
    assert checked.returncode == 2
    assert checked.stderr.splitlines() == [f"error: {tmp_path / 'setting_case.toml'}: [tool.kartcore-mypy] {message}"]
    assert checked.stdout == ""
    assert (tmp_path / "setting_case.py").read_text() == source


def run_without_kartcore(work: Path, plugin: str) -> subprocess.CompletedProcess[str]:
    """mypy in an interpreter that cannot import kartcore (its checkout is taken off sys.path) with ``plugin``."""
    (work / "pyproject.toml").write_text(f'[tool.mypy]\nplugins = ["{plugin}"]\n')
    (work / "project.py").write_text("size: int = 1\n")
    script = (
        "import sys\n"
        f"sys.path[:] = [p for p in sys.path if p not in ('', {str(REPO)!r})]\n"
        "from mypy.__main__ import console_entry\n"
        "sys.argv = ['mypy', '--cache-dir', 'cache', 'project.py']\n"
        "console_entry()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(DROPIN)}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("plugin", ["kartcore.mypy", "gokart.mypy"])
def test_plugin_without_kartcore_says_so_in_one_line(tmp_path: Path, plugin: str) -> None:
    result = run_without_kartcore(tmp_path, plugin)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"pyproject.toml:1: error: Error importing plugin \"{plugin}\": No module named 'kartcore'  [misc]"
    ]
    assert "Traceback" not in result.stdout + result.stderr
    # nothing but mypy's own (empty) cache appears; the checked project is as it was
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "project.py", "pyproject.toml"]
    assert (tmp_path / "project.py").read_text() == "size: int = 1\n"


def test_checked_code_without_kartcore_is_an_import_error(tmp_path: Path) -> None:
    """The plugin loads, but the checked environment has no kartcore (``--no-site-packages``): mypy's own error."""
    source = """
        import luigi  # E: Cannot find implementation or library stub for module named "luigi"  [import-not-found]
        import kartcore  # E: Cannot find implementation or library stub for module named "kartcore"  [import-not-found]


        class Orphan(kartcore.TaskOnKart[int]):
            size = luigi.IntParameter()


        Orphan(size="1", other=2)
    """
    path = write_case(tmp_path, "case_orphan", source)
    (tmp_path / "orphan.toml").write_text('[tool.mypy]\nplugins = ["kartcore.mypy"]\n')
    command = [sys.executable, "-m", "mypy", "--config-file", "orphan.toml", "--no-site-packages", str(path)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [f"{path.name}:{line}: error: {message}" for line, _, message in expected(source)]
    assert result.returncode == 1
    assert "INTERNAL ERROR" not in result.stdout + result.stderr
