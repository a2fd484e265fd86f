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
import io
import json
import os
import re
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
    try:
        with open(path, encoding="utf-8") as file:
            sections = toml_sections(file.read(), path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text: {exc}") from None
    values = {
        section: {name: _ini_value(value) for name, value in options.items()} for section, options in sections.items()
    }
    parser = _ini_parser()
    for section, options in values.items():
        parser[section] = {name: value.replace("%", "%%") for name, value in options.items()}
    text = io.StringIO()
    parser.write(text)
    _check_carried(path, values, text.getvalue())
    handle, ini_path = tempfile.mkstemp(prefix="kartcore-config-", suffix=".cfg")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text.getvalue())
    atexit.register(_remove, ini_path)
    return ini_path


def _ini_parser() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    return parser


def _check_carried(path: str, values: dict[str, dict[str, str]], ini_text: str) -> None:
    """Refuse a TOML string an ini file would change on its way to luigi (the final line break aside).

    Why: ini values lose leading and trailing whitespace, indentation, lines starting with # or ; and
    carriage returns, so ``sep = "\\t"`` would silently reach the task as an empty string.
    """
    parser = _ini_parser()
    parser.read_string(ini_text)
    for section, options in values.items():
        for name, value in options.items():
            carried = parser[section][name].replace("%%", "%")
            if carried != value.rstrip("\n"):
                raise ConfigError(
                    f"config file {path}: [{section}] {name} = {value!r} would reach the task as {carried!r}: an ini "
                    "value, which luigi reads, cannot keep leading or trailing whitespace, indented lines, lines "
                    "starting with # or ;, or carriage returns. Remove them, or pass the value as an argument"
                )


def toml_sections(text: str, path: str = "<toml>") -> dict[str, dict[str, Any]]:
    """Map the tables of a TOML document to config sections.

    A table written as a header (``[Train]``, ``["pkg.Task"]``, ``[pkg.Task]``) is a section, and
    everything inside it is a value: inline tables, dotted keys (``hyper.depth = 3``) and sub-table
    headers (``[Train.hyper]``) become the JSON a DictParameter parses, arrays the JSON a
    ListParameter parses - as in luigi's own TOML reading. A table that only exists because a dotted
    header implies it (``pkg`` in ``[pkg.Task]`` with no ``[pkg]``) is a namespace: its tables are
    the sections ``pkg.Task``. (Before, every table holding only tables was read as a namespace, so
    ``[Train]`` + ``hyper = {depth = 3}`` became a section ``Train.hyper`` and the value was lost.)
    """
    data = _parse_toml(text, path)
    headers = _header_paths(text)
    sections: dict[str, dict[str, Any]] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((name,), value) for name, value in data.items()]
    while stack:
        keys, table = stack.pop()
        name = ".".join(keys)
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: key {name!r} must be inside a [section]")
        if keys not in headers and table and all(isinstance(value, dict) for value in table.values()):
            stack.extend(((*keys, child), value) for child, value in table.items())
        else:
            sections[name] = table
    return sections


_HEADER_LINE = re.compile(r"^[ \t]*\[(?!\[)(.+)\][ \t]*(?:#.*)?$")
_PROBE = "__kartcore_probe__"


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _header_paths(text: str) -> set[tuple[str, ...]]:
    """The key paths of the ``[table]`` headers in ``text`` (tomllib does not say which tables had one).

    A line that looks like a header may sit inside a multi-line string: it is one only if putting a
    probe header in its place adds the probe table to the document.
    """
    lines = text.splitlines()
    found = set()
    for number, line in enumerate(lines):
        match = _HEADER_LINE.match(line)
        if match is None:
            continue
        try:
            header = _parse_toml(f"[{match.group(1)}]", "")
            probed = _parse_toml("\n".join([*lines[:number], f"[{_PROBE}]", *lines[number + 1 :]]), "")
        except ConfigError:
            continue
        if _PROBE not in probed:
            continue
        keys: tuple[str, ...] = ()
        while isinstance(header, dict) and len(header) == 1:
            key, header = next(iter(header.items()))
            keys = (*keys, key)
        found.add(keys)
    return found


def _ini_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_json_value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> str:
    """TOML dates and times inside arrays and tables, as ISO 8601 (as they are outside them)."""
    return value.isoformat() if isinstance(value, (datetime.date, datetime.time)) else str(value)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)
