"""``kart check``: the unknown sections and keys of a project's config files, file by file, with a line number.

luigi never asks what else a config file holds, so a key that matches no parameter of the task its
section names, or a section that names no task, is silently ignored and the run uses defaults.
:mod:`kartcore.config_check` knows what counts as known; this module applies it to each file a project
adds - ``conf/param.ini`` and every file ``main.py`` passes to ``add_config(...)`` (ini or TOML) - on its
own, so that each finding names the file and line to fix. Reading never writes (a TOML file is parsed
here, not converted for luigi).
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from kartcore.config import INI_EXTENSIONS, toml_sections
from kartcore.config_check import UnknownConfigEntry, find_unknown_entries
from kartcore.errors import KartError

DEFAULT_CONFIG = Path("conf") / "param.ini"


@dataclass(frozen=True)
class Finding:
    """One problem in one config file (line 0 when the line is not known)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def project_config_files(root: Path) -> tuple[list[Path], list[Finding]]:
    """``conf/param.ini`` and the files ``main.py`` adds with ``add_config("...")``, relative to ``root``.

    A file ``main.py`` names that does not exist is a finding (the run would fail on it).
    """
    names = [DEFAULT_CONFIG.as_posix()]
    main = root / "main.py"
    findings = []
    try:
        tree = ast.parse(main.read_text(encoding="utf-8"), str(main))
    except (OSError, SyntaxError, ValueError) as exc:
        return [root / DEFAULT_CONFIG], [Finding("main.py", 0, f"cannot read it for add_config() calls: {exc}")]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) == "add_config" and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                names.append(Path(argument.value).as_posix().removeprefix("./"))
    files = []
    for name in dict.fromkeys(names):
        path = root / name
        if path.is_file():
            files.append(path)
        elif name != DEFAULT_CONFIG.as_posix():
            findings.append(Finding("main.py", 0, f"add_config({name!r}): the file does not exist"))
    return files, findings


def check_file(path: Path, shown: str) -> list[Finding]:
    """The unknown sections and keys of one config file (against the task classes registered now)."""
    try:
        text = path.read_text(encoding="utf-8")
        parser = _parsed(path, text)
    except (OSError, UnicodeDecodeError, configparser.Error, KartError) as exc:
        return [Finding(shown, 0, f"cannot be read: {exc}")]
    found = [Finding(shown, _line_of(text, entry), _message(entry)) for entry in find_unknown_entries(parser)]
    return sorted(found, key=lambda finding: finding.line)


def check_project(root: Path) -> tuple[list[Path], list[Finding]]:
    """Every config file of the project at ``root`` and every finding, in file order."""
    files, findings = project_config_files(root)
    for path in files:
        findings += check_file(path, path.relative_to(root).as_posix())
    return files, findings


def _parsed(path: Path, text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    if path.suffix.lower() in INI_EXTENSIONS:
        parser.read_string(text, str(path))
        return parser
    if path.suffix.lower() != ".toml":
        raise KartError(f"unsupported extension {path.suffix or '(none)'}: use .ini, .cfg or .toml")
    for section, values in toml_sections(text, str(path)).items():
        parser.add_section(section)
        for key in values:
            parser.set(section, key, "")
    return parser


def _message(entry: UnknownConfigEntry) -> str:
    return entry.message.removeprefix("config section ")


def _line_of(text: str, entry: UnknownConfigEntry) -> int:
    """The line of the section header (or of the key inside it), 0 if not found."""
    section_line, current = 0, None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*\"?([^\]\"]+?)\"?\s*\]", line)
        if header:
            current = header.group(1).strip()
            if current == entry.section and entry.key is None:
                return number
            section_line = number if current == entry.section else section_line
            continue
        key = re.match(r"^\s*([^=:#;\s]+)\s*[=:]", line)
        if current == entry.section and key and entry.key is not None and key.group(1) == entry.key:
            return number
    return section_line


def _called_name(function: ast.expr) -> str:
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""
