"""Configuration files: ``add_config`` for .ini/.cfg and .toml, and the ``[TaskOnKart]`` section.

luigi reads config files; kartcore only adds two things:

* TOML that works. luigi can only use one parser per process (chosen by an environment variable),
  so a .toml added to an ini-configured process is silently ignored - gokart's TOML path is broken
  that way. We convert the TOML file to an equivalent ini file once and hand that to luigi, so
  ini and TOML files can be mixed and later files override earlier ones, as with ini files.
* ``[TaskOnKart]``: values that apply to every task. Precedence, most specific first: explicit
  argument, ``--Family-param`` on the command line, ``[Family]`` section, ``--TaskOnKart-param``,
  ``[TaskOnKart]`` section, the parameter's default. (gokart lets ``[TaskOnKart]`` override the
  task's own section; we do not.)
"""

from __future__ import annotations

import atexit
import configparser
import contextlib
import datetime
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable
from typing import Any

import luigi
import luigi.configuration
from luigi.cmdline_parser import CmdlineParser

from kartcore.errors import ConfigError

SHARED_SECTION = "TaskOnKart"
INI_EXTENSIONS = {".ini", ".cfg", ".conf"}


def add_config(path: str) -> None:
    """Add a config file (.ini, .cfg, .conf or .toml) on top of the ones already read."""
    if not os.path.isfile(path):
        raise ConfigError(f"config file {path} does not exist (working directory: {os.getcwd()})")
    extension = os.path.splitext(path)[1].lower()
    if extension == ".toml":
        ini_path = _toml_as_ini(path)
    elif extension in INI_EXTENSIONS:
        _check_ini(path)
        ini_path = path
    else:
        raise ConfigError(f"config file {path}: unsupported extension {extension or '(none)'}; use .ini, .cfg or .toml")
    with warnings.catch_warnings():
        # luigi warns that an .ini file uses the "cfg" parser; both names are the same parser class.
        warnings.filterwarnings("ignore", message="Config for .* parser added, but used .* parser")
        luigi.configuration.add_config_path(ini_path)


def shared_values(family: str, names: Iterable[str]) -> dict[str, str]:
    """``[TaskOnKart]`` (or ``--TaskOnKart-x``) values for parameters the task's own section does not set."""
    config = luigi.configuration.get_config()
    command_line = CmdlineParser.get_instance()
    arguments = command_line.known_args if command_line is not None else None
    has_shared_section = config.has_section(SHARED_SECTION)
    if not has_shared_section and arguments is None:
        return {}
    found = {}
    for name in names:
        if arguments is not None and getattr(arguments, f"{family}_{name}", None) is not None:
            continue
        if config.has_option(family, name):
            continue
        shared_cli = getattr(arguments, f"{SHARED_SECTION}_{name}", None) if arguments is not None else None
        if shared_cli is not None:
            found[name] = shared_cli
        elif has_shared_section and config.has_option(SHARED_SECTION, name):
            found[name] = config.get(SHARED_SECTION, name)
    return found


def _check_ini(path: str) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConfigError(f"config file {path} cannot be parsed: {exc}") from None


def _toml_as_ini(path: str) -> str:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    for section, options in toml_sections(data, path).items():
        parser[section] = {name: _ini_value(value).replace("%", "%%") for name, value in options.items()}
    handle, ini_path = tempfile.mkstemp(prefix="kartcore-config-", suffix=".cfg")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        parser.write(file)
    atexit.register(_remove, ini_path)
    return ini_path


def toml_sections(data: dict[str, Any], path: str = "<toml>") -> dict[str, dict[str, Any]]:
    """Map TOML tables to config sections.

    ``[TaskOnKart]`` and ``["pkg.Task"]`` are sections; ``[pkg.Task]`` (a table holding only
    tables) is read as the dotted section ``pkg.Task``. Inside a section, arrays and inline tables
    become the JSON that luigi's List/Dict parameters parse.
    """
    sections: dict[str, dict[str, Any]] = {}
    stack = [(name, value) for name, value in data.items()]
    while stack:
        name, table = stack.pop()
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: key {name!r} must be inside a [section]")
        if table and all(isinstance(value, dict) for value in table.values()):
            stack.extend((f"{name}.{child}", value) for child, value in table.items())
        else:
            sections[name] = table
    return sections


def _ini_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)
