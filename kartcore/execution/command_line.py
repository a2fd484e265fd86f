"""``pkg.Task --param=value`` parsed as luigi parses it, minus argparse's guesses, with one-line errors.

``python main.py`` and the ``kart`` commands both go through here, so a command line means the same
task in both. luigi's parser is kept (tasks created later read ``--Family-param`` values from its
global instance) with two changes:

* argparse's prefix matching is off. luigi first parses the line without the task's own options, so
  a task parameter ``n`` given as ``--n=5`` was taken as an abbreviation of ``--no-lock`` (and
  ``--no-l`` silently meant ``--no-lock``). A task's own parameters must win; abbreviations are refused.
* argparse errors raise :class:`UsageError` instead of printing the usage and exiting, and every value
  on the line (the task's, other families', luigi's ``--workers``...) is parsed before anything runs,
  so a bad one is reported as one line naming the option.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
from collections.abc import Iterator
from typing import NoReturn

import luigi
from luigi.cmdline_parser import CmdlineParser
from luigi.parameter import ParameterException
from luigi.task_register import Register

from kartcore.errors import KartError, UsageError
from kartcore.task import TaskOnKart


class StrictCmdlineParser(CmdlineParser):
    """luigi's command-line parser without prefix matching, raising :class:`UsageError` on a bad line."""

    @staticmethod
    def _build_parser(root_task: str | None = None, help_all: bool = False) -> argparse.ArgumentParser:
        parser = CmdlineParser._build_parser(root_task=root_task, help_all=help_all)
        parser.allow_abbrev = False
        parser.error = _refuse  # type: ignore[method-assign]  # argparse would print the usage and exit(2)
        return parser


def _refuse(message: str) -> NoReturn:
    raise UsageError(message)


@contextlib.contextmanager
def command_line(args: list[str], allow_override: bool = False) -> Iterator[CmdlineParser]:
    """Parse ``args`` and make the result luigi's global command line for the block.

    Raises :class:`UsageError` for an unknown option or a value that does not parse, and luigi's
    ``TaskClassNotFoundException`` for an unknown task (callers word that one themselves).
    """
    previous = CmdlineParser.get_instance()
    if previous is not None and not allow_override:
        raise RuntimeError("a luigi command line is already active")
    parser = parse(args)
    CmdlineParser._instance = parser  # what luigi's own global_instance() sets
    try:
        yield parser
    finally:
        CmdlineParser._instance = previous


def parse(args: list[str]) -> StrictCmdlineParser:
    """luigi's parse of ``args``, with every value checked; a precise message for whatever is wrong."""
    try:
        parser = StrictCmdlineParser(args)
    except UsageError:
        known, _ = StrictCmdlineParser._build_parser().parse_known_args(args)
        if known.root_task:
            check_arguments(known.root_task, args)  # names the option; argparse's own text otherwise
        raise
    except SystemExit as exc:  # luigi's "No task specified"
        if exc.code in (None, 0):
            raise  # --help
        raise UsageError("no task given: name one, as in `python main.py pkg.Task --param=value`") from None
    check_arguments(parser.known_args.root_task, args)
    return parser


def check_arguments(task_name: str, args: list[str]) -> None:
    """Refuse an option ``task_name`` does not have, and any value on the line its parameter cannot parse."""
    parser = StrictCmdlineParser._build_parser(root_task=task_name)
    try:
        known, unknown = parser.parse_known_args(args)
    except UsageError as exc:  # argparse's own words ("argument --n: expected one argument")
        raise UsageError(f"task {task_name}: {exc}") from None
    if unknown:
        raise UsageError(_unknown_option_message(task_name, unknown[0]))
    for dest, (flag, param) in _parameters_by_dest(task_name).items():
        value = getattr(known, dest, None)
        if not isinstance(value, str):
            continue
        try:
            param.normalize(param.parse(value))
        except Exception as exc:
            raise UsageError(f"task {task_name}: invalid value {value!r} for {flag}: {exc}") from None


def create_task(parser: CmdlineParser, config_name: str) -> luigi.Task:
    """The root task of the parsed line; a missing parameter is named with where a value could come from."""
    family = parser.known_args.root_task
    try:
        return parser.get_task_obj()
    except ParameterException as exc:
        text = str(exc)
        marker = "requires the '"
        if marker in text:
            name = text.split(marker, 1)[1].split("'", 1)[0].replace("_", "-")
            raise UsageError(
                f"task {family} needs --{name}: no value was given on the command line, "
                f"in a [{family}] section of {config_name} or as a default"
            ) from None
        raise UsageError(f"task {family}: {text}") from None
    except KartError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot create task {family}: {type(exc).__name__}: {exc}") from exc


def check_range(option: str, value: object, lowest: int, highest: int | None = None) -> None:
    """Refuse a number outside ``lowest..highest`` (or not an int at all), naming ``option``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < lowest
        or (highest is not None and value > highest)
    ):
        wanted = f"between {lowest} and {highest}" if highest is not None else f"at least {lowest}"
        raise UsageError(f"{option} must be a whole number {wanted}, got {value!r}")


def _unknown_option_message(task_name: str, argument: str) -> str:
    if not argument.startswith("-"):
        return f"task {task_name}: unexpected argument {argument!r} (parameters are given as --name=value)"
    option = argument.split("=", 1)[0]
    common = {name for name, _ in TaskOnKart.get_params()}
    params = [name for name, _ in Register.get_task_cls(task_name).get_params()]
    own = [f"--{name.replace('_', '-')}" for name in params if name not in common]
    flags = [f"--{name.replace('_', '-')}" for name in params] + [
        flag for flag, _ in _parameters_by_dest(task_name).values()
    ]
    wanted = option.replace("_", "-")
    elsewhere = [
        "--" + f"{family}_{name}".replace("_", "-")
        for family, without_section, name, _ in Register.get_all_params()
        if not without_section and name.replace("_", "-") == wanted[2:] and family not in ("TaskOnKart", task_name)
    ]
    close = list(dict.fromkeys(elsewhere[:3] or difflib.get_close_matches(wanted, flags, n=3, cutoff=0.75)))
    if close:
        hint = f" Did you mean {', '.join(close)}?"
    else:
        hint = (
            f" Its parameters: {', '.join(own) or '(none)'}, and those of every TaskOnKart (--workspace-directory...)."
        )
    return f"task {task_name} has no parameter {option}.{hint}"


def _parameters_by_dest(task_name: str) -> dict[str, tuple[str, luigi.Parameter]]:
    """argparse destination -> (option shown to the user, parameter), as luigi's parser names them."""
    found: dict[str, tuple[str, luigi.Parameter]] = {}
    for family, without_section, name, param in Register.get_all_params():
        flag = name if without_section else f"{family}_{name}"
        found[param._parser_kwargs(name, family)["dest"]] = ("--" + flag.replace("_", "-"), param)
        if family == task_name:
            found[name] = (f"--{name.replace('_', '-')}", param)
    return found
