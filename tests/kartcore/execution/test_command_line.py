"""The shared command-line parser: luigi's, without prefix matching, with every value checked up front."""

from __future__ import annotations

import re

import luigi
import luigi.interface
import pytest
from luigi.cmdline_parser import CmdlineParser

from kartcore.errors import UsageError
from kartcore.execution.command_line import check_range, command_line, create_task


class CmdNumbered(luigi.Task):
    n = luigi.IntParameter(default=1)


@pytest.mark.parametrize("given", [["--n=5"], ["--n", "5"], ["--CmdNumbered-n=5"]])
def test_a_task_parameter_wins_over_a_luigi_option_it_is_a_prefix_of(given: list[str]) -> None:
    with command_line(["CmdNumbered", *given]) as parser:
        assert create_task(parser, config_name="the config").n == 5
        assert luigi.interface.core().no_lock is False


@pytest.mark.parametrize(("given", "message"), [("--no-l", "--no-lock"), ("--local-sch", "--local-scheduler")])
def test_abbreviations_are_refused_with_the_full_name(given: str, message: str) -> None:
    expected = re.escape(f"task CmdNumbered has no parameter {given}. Did you mean {message}?")
    with pytest.raises(UsageError, match=expected), command_line(["CmdNumbered", given]):
        pass
    assert CmdlineParser.get_instance() is None


def test_the_command_line_is_luigis_global_one_for_the_block_only() -> None:
    with command_line(["CmdNumbered", "--n=2"]) as outer:
        assert CmdlineParser.get_instance() is outer
        with pytest.raises(RuntimeError), command_line(["CmdNumbered"]):
            pass
        with command_line(["CmdNumbered", "--n=3"], allow_override=True) as inner:
            assert CmdlineParser.get_instance() is inner
        assert CmdlineParser.get_instance() is outer
    assert CmdlineParser.get_instance() is None


def test_no_task_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no task given"), command_line(["--local-scheduler"]):
        pass


@pytest.mark.parametrize(("value", "ok"), [(1, True), (65535, True), (0, False), (65536, False), (True, False)])
def test_check_range(value: object, ok: bool) -> None:
    if ok:
        check_range("--port", value, 1, 65535)
    else:
        with pytest.raises(UsageError, match=r"--port must be a whole number between 1 and 65535, got"):
            check_range("--port", value, 1, 65535)
