"""``pkg.Task --param=value`` on a kart command line, resolved into a task instance inside the project.

The inspection commands must see exactly the task ``python main.py pkg.Task --param=value`` would
run, or they would show (and ``kart clean`` would keep) the wrong files. So the same things happen
as in ``main.py``: the working directory is the project root (relative workspaces resolve the same),
the project's package is imported, ``conf/param.ini`` is added, and luigi's own command-line parser
turns the arguments into the task. What kartcore adds is a clear error for a bad command line
before anything is looked at.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import luigi
from luigi.cmdline_parser import CmdlineParser
from luigi.parameter import ParameterException
from luigi.task_register import Register, TaskClassException, TaskClassNotFoundException

import kartcore
from kartcore import _compat
from kartcore.cli.project import Project, find_project
from kartcore.errors import KartError
from kartcore.task import TaskOnKart
from kartcore.task.resolution import frozen_configuration

#: click settings for a command that takes ``pkg.Task`` followed by luigi options it does not know itself.
TASK_COMMAND_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}


class TaskResolutionError(KartError):
    """The command line does not name a task of the project, or its parameters do not parse."""


@dataclass(frozen=True)
class ResolvedTask:
    """A task instance and the project it belongs to."""

    project: Project
    task: luigi.Task


def task_arguments(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``TASK`` and the luigi parameters after it (``--param=value``, ``--Family-param value``)."""
    function = click.argument("task_args", nargs=-1, type=click.UNPROCESSED, metavar="[--PARAM=VALUE]...")(function)
    return click.argument("task_name", metavar="PKG.TASK")(function)


@contextlib.contextmanager
def inside_project(start: Path | None = None) -> Iterator[Project]:
    """Work from the project root with its package imported and its config added; restore cwd and sys.path after."""
    project = find_project(start)
    previous_cwd = os.getcwd()
    root = str(project.root)
    sys.path.insert(0, root)
    os.chdir(root)
    try:
        _import_package(project)
        if project.param_ini.is_file():
            kartcore.add_config(str(project.param_ini))
        yield project
    finally:
        os.chdir(previous_cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(root)


@contextlib.contextmanager
def resolved_task(
    task_name: str, task_args: tuple[str, ...] | list[str], start: Path | None = None
) -> Iterator[ResolvedTask]:
    """The task the arguments name, inside its project.

    The parser stays active for the whole block: tasks created later by ``requires()`` read their
    ``--Family-param`` values from it, as they do under ``python main.py``.
    """
    with inside_project(start) as project:
        # luigi hands out cached instances, and a kart task caches its unique id: tasks made under another
        # command line (an earlier call in this process) would keep that command line's upstream ids.
        Register.clear_instance_cache()
        args = [task_name, *task_args]
        task_class(task_name, project)
        _check_arguments(task_name, args)
        with CmdlineParser.global_instance(args, allow_override=True) as parser, frozen_configuration():
            resolved = ResolvedTask(project, _instantiate(parser, task_name))
            try:
                yield resolved
            except ParameterException as exc:  # a task created by some requires() lacks a parameter
                raise TaskResolutionError(f"a task in the DAG of {task_name} cannot be created: {exc}") from None


def task_class(task_name: str, project: Project) -> type[luigi.Task]:
    """The registered class of ``task_name`` (a luigi family such as ``pkg.Task``); close matches if unknown."""
    if task_name.startswith("-"):
        raise TaskResolutionError(f"expected a task name such as {project.package}.Sample before {task_name}")
    try:
        return Register.get_task_cls(task_name)
    except TaskClassNotFoundException:
        raise TaskResolutionError(_unknown_task_message(task_name, project)) from None
    except TaskClassException as exc:
        raise TaskResolutionError(f"task {task_name}: {exc}") from None


def _import_package(project: Project) -> None:
    """Import the project's package (registering its tasks), replacing a same-named package from elsewhere."""
    loaded = sys.modules.get(project.package)
    location = getattr(loaded, "__file__", None) or ""
    if loaded is not None and not Path(location).resolve().is_relative_to(project.root):
        for name in [n for n in sys.modules if n == project.package or n.startswith(project.package + ".")]:
            del sys.modules[name]
    try:
        importlib.import_module(project.package)
    except Exception as exc:
        where = _innermost_frame(exc)
        raise TaskResolutionError(
            f"cannot import the project's package {project.package!r} from {project.root}: "
            f"{type(exc).__name__}: {exc}{where}"
        ) from exc
    _compat.forget_redefined_task_classes()


def _innermost_frame(exc: BaseException) -> str:
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    if traceback is None:
        return ""
    return f" (at {traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno})"


def _unknown_task_message(task_name: str, project: Project) -> str:
    known = sorted(Register.task_names())
    namespace, _, class_name = task_name.rpartition(".")
    neighbours = {name.rpartition(".")[2]: name for name in known if name.rpartition(".")[0] == namespace}
    close = [neighbours[n] for n in difflib.get_close_matches(class_name, list(neighbours), n=5, cutoff=0.6)]
    close += [n for n in difflib.get_close_matches(task_name, known, n=5, cutoff=0.85) if n not in close]
    close += [n for n in known if n.rpartition(".")[2].lower() == class_name.lower() and n not in close]
    if close:
        return f"unknown task {task_name!r}. Did you mean: {', '.join(close)}?"
    ours = [name for name in known if name.startswith(project.package + ".")]
    listed = f" Tasks of {project.package}: {', '.join(ours)}." if ours else ""
    return f"unknown task {task_name!r}: {project.package} does not define or import it.{listed}"


def _check_arguments(task_name: str, args: list[str]) -> None:
    """Run luigi's parser once without letting argparse exit, so a bad option becomes a message naming it."""
    parser = CmdlineParser._build_parser(root_task=task_name)

    def fail(message: str) -> None:
        raise TaskResolutionError(f"task {task_name}: {message}")

    parser.error = fail  # type: ignore[method-assign]  # argparse would print usage and exit(2)
    known, unknown = parser.parse_known_args(args)
    if unknown:
        raise TaskResolutionError(_unknown_option_message(task_name, unknown[0]))
    for dest, (name, param) in _parameters_by_dest(task_name).items():
        value = getattr(known, dest, None)
        if not isinstance(value, str):
            continue
        try:
            param.parse(value)
        except Exception as exc:
            raise TaskResolutionError(f"task {task_name}: invalid value {value!r} for {name}: {exc}") from None


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


def _instantiate(parser: CmdlineParser, task_name: str) -> luigi.Task:
    try:
        return parser.get_task_obj()
    except ParameterException as exc:
        text = str(exc)
        marker = "requires the '"
        if marker in text:
            name = text.split(marker, 1)[1].split("'", 1)[0].replace("_", "-")
            raise TaskResolutionError(
                f"task {task_name} needs --{name}: no value was given on the command line, "
                f"in a [{task_name}] section of conf/param.ini or as a default"
            ) from None
        raise TaskResolutionError(f"task {task_name}: {text}") from None
    except KartError:
        raise
    except Exception as exc:
        raise TaskResolutionError(f"cannot create task {task_name}: {type(exc).__name__}: {exc}") from exc
