"""Run the real type checkers (mypy, basedpyright) on a small source file and read what they say.

A case is a source whose lines carry what the checker must report on them, as comments:
``# E: <error message>`` (one or more) and ``# N: <revealed type note>``. :func:`expected` reads them
back with their line numbers, so a test compares exact lines and a case stays readable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DROPIN = REPO / "compat" / "gokart"
BIN = Path(sys.executable).parent

_MARK = re.compile(r"# ([EN]): (.*?)(?=\s+# [EN]: |$)")


@dataclass
class Checked:
    """One type checker run: exit code, its stdout/stderr, and the lines it reported in the case file."""

    returncode: int
    stdout: str
    stderr: str
    reported: list[tuple[int, str, str]]


def expected(source: str) -> list[tuple[int, str, str]]:
    """``(line, kind, message)`` for each ``# E:``/``# N:`` mark in ``source`` (kind ``error`` or ``note``)."""
    found = []
    for number, line in enumerate(textwrap.dedent(source).splitlines(), start=1):
        for kind, message in _MARK.findall(line):
            found.append((number, "error" if kind == "E" else "note", message.strip()))
    return found


def mypy(
    work: Path, name: str, source: str, *, plugin: str | None, cache: Path, dropin: bool = False, settings: str = ""
) -> Checked:
    """mypy on ``work/<name>.py`` with ``plugins = [plugin]``; ``dropin``: ``import gokart`` is compat/gokart.

    ``settings``: more of the pyproject.toml mypy reads (the plugin's own tables).
    """
    path = write_case(work, name, source)
    config = work / f"{name}.toml"
    config.write_text("[tool.mypy]\n" + (f'plugins = ["{plugin}"]\n' if plugin else "") + settings)
    env = _env_without_pythonpath()
    if dropin:  # the plugin is imported from PYTHONPATH, the checked code's gokart found on MYPYPATH
        env["PYTHONPATH"] = env["MYPYPATH"] = str(DROPIN)
    cache = cache / f"{plugin}-{'dropin' if dropin else 'kartcore'}"  # mypy drops its cache when the plugins change
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache), str(path)]
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
    reported = []
    for line in result.stdout.splitlines():
        match = re.match(rf"{re.escape(path.name)}:(\d+): (error|note): (.*)$", line)
        if match and (match[2] == "error" or match[3].startswith("Revealed type")):
            reported.append((int(match[1]), match[2], match[3]))
    return Checked(result.returncode, result.stdout, result.stderr, reported)


def pyright(work: Path, name: str, source: str) -> Checked:
    """basedpyright in pyright's standard mode on ``work/<name>.py``, with this interpreter's packages."""
    path = write_case(work, name, source)
    (work / "pyrightconfig.json").write_text('{"typeCheckingMode": "standard"}')
    command = [str(BIN / "basedpyright"), "--pythonpath", sys.executable, str(path)]
    env = _env_without_pythonpath()
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
    reported = []
    for line in result.stdout.splitlines():
        match = re.match(rf"\s+{re.escape(str(path))}:(\d+):\d+ - (error|information): (.*)$", line)
        if match:
            reported.append((int(match[1]), "error" if match[2] == "error" else "note", match[3]))
    return Checked(result.returncode, result.stdout, result.stderr, reported)


def write_case(work: Path, name: str, source: str) -> Path:
    path = work / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def _env_without_pythonpath() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
