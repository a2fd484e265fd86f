"""``pkg.Task --param=value`` on a kart command line, resolved into a task instance inside the project.

The inspection commands must see exactly the task ``python main.py pkg.Task --param=value`` would
run, or they would show (and ``kart clean`` would keep) the wrong files. So the same things happen
as in ``main.py``: the working directory is the project root (relative workspaces resolve the same),
the project's package is imported, ``conf/param.ini`` is added, and luigi's own command-line parser
turns the arguments into the task (through :mod:`kartcore.execution.command_line`, as ``run()`` does).
What kartcore adds is a clear error for a bad command line before anything is looked at, and one line
naming the task and method when a task's ``requires()`` or ``output()`` raises while it is looked at.
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
from luigi.parameter import ParameterException
from luigi.task_register import Register, TaskClassException, TaskClassNotFoundException

import kartcore
from kartcore import _compat
from kartcore.cli.project import Project, find_project
from kartcore.errors import KartError, UsageError
from kartcore.execution.command_line import command_line, create_task
from kartcore.execution.diagnosis import definition_error
from kartcore.task.resolution import frozen_configuration

#: click settings for a command that takes ``pkg.Task`` followed by luigi options it does not know itself.
TASK_COMMAND_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}


class TaskResolutionError(UsageError):
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
        task_class(task_name, project)
        with command_line([task_name, *task_args], allow_override=True) as parser, frozen_configuration():
            resolved = ResolvedTask(project, create_task(parser, config_name="conf/param.ini"))
            try:
                yield resolved
            except ParameterException as exc:  # a task created by some requires() lacks a parameter
                raise TaskResolutionError(f"a task in the DAG of {task_name} cannot be created: {exc}") from None
            except KartError:
                raise
            except Exception as exc:  # the project's requires()/output() raised: one line, not a traceback
                described = definition_error(exc)
                if described is None:
                    raise
                raise TaskResolutionError(described) from exc


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
