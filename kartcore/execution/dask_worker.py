"""What runs on a Dask worker: one kartcore task, through kartcore's own ``build()``, with the driver's settings.

Why this shape:

* One Dask task runs one kartcore task, by ``build()`` (luigi's local scheduler, one luigi worker, in this
  thread) with its requirements already complete. Run records, staged and atomic publishing and run locks
  therefore apply unchanged, and luigi checks completion first: a task that another driver, or the
  recomputation of a result Dask lost with a worker, already published is not run again.
* ``requires()`` runs here again and makes its requirements from the configuration, so the driver sends its
  configuration (config files plus ``--Class-param`` values from its command line) and the worker uses it
  for the length of the run, then restores its own.
* luigi's worker installs a SIGUSR1 handler, which only works in a main thread; Dask runs tasks in a thread
  pool, so ``[worker] no_install_shutdown_handler`` is set.
* luigi's and kartcore's settings are process-global: a lock runs one task at a time, also on a worker
  started with several threads.
* Only the key travels back; the data stays on the workspace. A failure travels back as text
  (:class:`RemoteTaskError`), since the task's own exception may not unpickle on the driver.
"""

from __future__ import annotations

import configparser
import contextlib
import pickle
import socket
import threading
import traceback
from collections.abc import Iterator

import luigi
import luigi.configuration
from luigi.cmdline_parser import CmdlineParser
from luigi.task import flatten
from luigi.task_register import Register

from kartcore.errors import BuildError, RemoteTaskError
from kartcore.execution.build import build

#: Config sections, each a dict of option -> raw value (as written in the file; interpolated where read).
Settings = dict[str, dict[str, str]]

#: Command-line sections the worker must not take over: luigi's scheduler options and kartcore's own.
DRIVER_ONLY_SECTIONS = frozenset({"core", "kartcore"})

_ONE_AT_A_TIME = threading.Lock()


def run_task(payload: bytes, settings: Settings, key: str, *dependencies: str) -> str:
    """Run the pickled task unless it is complete; return ``key``. ``dependencies`` only order the Dask graph."""
    with _ONE_AT_A_TIME, using_settings(settings):
        try:
            task = pickle.loads(payload)
        except Exception as exc:
            raise RemoteTaskError(key, _unloadable_message(key, exc)) from None
        try:
            missing = [dependency for dependency in flatten(task.deps()) if not _complete(dependency)]
        except Exception:
            raise RemoteTaskError(key, traceback.format_exc()) from None
        if missing:
            raise RemoteTaskError(key, _missing_message(task, missing))
        try:
            build(task, return_value=False)
        except BuildError as exc:
            raise RemoteTaskError(key, _failure_text(exc)) from None
    return key


def driver_settings() -> Settings:
    """This process's luigi configuration, with the ``--Class-param`` values of its command line written in."""
    settings = _snapshot(luigi.configuration.get_config())
    for section, options in _command_line_values().items():
        settings.setdefault(section, {}).update(options)
    return settings


@contextlib.contextmanager
def using_settings(settings: Settings) -> Iterator[None]:
    """Make ``settings`` this process's luigi configuration for the block, then restore the previous one."""
    config = luigi.configuration.get_config()
    if not isinstance(config, configparser.ConfigParser):  # luigi's TOML parser: kartcore converts TOML to ini
        yield
        return
    own = _snapshot(config)
    _replace(config, settings)
    config.set("worker", "no_install_shutdown_handler", "true")
    try:
        yield
    finally:
        _replace(config, own)


def _snapshot(config: object) -> Settings:
    if not isinstance(config, configparser.ConfigParser):
        return {}
    sections = {section: dict(config.items(section, raw=True)) for section in config.sections()}
    return {configparser.DEFAULTSECT: dict(config.defaults()), **sections}


def _replace(config: configparser.ConfigParser, settings: Settings) -> None:
    for section in config.sections():
        config.remove_section(section)
    config.defaults().clear()
    config.read_dict(settings)


def _command_line_values() -> Settings:
    """``--Family-param value`` given to this process, as ``{Family: {param: value}}`` (most specific, as luigi)."""
    parser = CmdlineParser.get_instance()
    if parser is None:
        return {}
    found: Settings = {}
    for family, _, name, _ in Register.get_all_params():
        value = getattr(parser.known_args, f"{family}_{name}", None)
        if value is not None and family not in DRIVER_ONLY_SECTIONS:
            text = str(value).lower() if isinstance(value, bool) else str(value).replace("%", "%%")
            found.setdefault(family, {})[name] = text
    return found


def _complete(task: luigi.Task) -> bool:
    # A second call, only when the first says "incomplete": a requirement with rerun=True answers False once
    # (the driver had it run), and luigi's build below must then see it complete, not run it again here.
    return bool(task.complete() or task.complete())


def task_label(task: luigi.Task) -> str:
    """``Family[unique id]`` for kartcore tasks, luigi's repr for others: how messages name a task."""
    label = getattr(task, "label", None)
    return label() if callable(label) else str(task)


def _missing_message(task: luigi.Task, missing: list[luigi.Task]) -> str:
    names = ", ".join(task_label(dependency) for dependency in missing)
    return (
        f"{task_label(task)}: its requirements {names} are not complete as Dask worker {socket.gethostname()} sees "
        "them. The driver and every worker must share the workspace: set [TaskOnKart] workspace_directory to "
        "object storage (s3://, gs://) or to a path all machines mount at the same place."
    )


def _unloadable_message(key: str, exc: Exception) -> str:
    return (
        f"Dask worker {socket.gethostname()} cannot load task {key}: {type(exc).__name__}: {exc}. "
        "Workers must import the project's tasks: install the project in their environment (the same image "
        "as the driver) or put it on their PYTHONPATH."
    )


def _failure_text(exc: BuildError) -> str:
    texts = [failure.traceback.strip() for failure in exc.failures if failure.traceback.strip()]
    return "\n".join(texts) or str(exc)
