"""Find the generated project the command runs in: its root, its package and its config file."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kartcore.errors import KartError

MARKERS = ("pyproject.toml", "main.py")


class ProjectNotFoundError(KartError):
    """The command needs a kartcore project and none was found."""


@dataclass(frozen=True)
class Project:
    """A generated kartcore project."""

    root: Path
    package: str

    @property
    def param_ini(self) -> Path:
        return self.root / "conf" / "param.ini"


def find_project(start: Path | None = None) -> Project:
    """The project containing ``start`` (default: the working directory), searching upwards."""
    begin = (start or Path.cwd()).resolve()
    for directory in (begin, *begin.parents):
        if all((directory / marker).is_file() for marker in MARKERS):
            return Project(directory, _package_of(directory))
    raise ProjectNotFoundError(
        f"no kartcore project here: looked for {' and '.join(MARKERS)} in {begin} and its parents "
        "(create one with `kart new`)"
    )


def _package_of(root: Path) -> str:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        data = tomllib.loads(text)
        packages = data.get("tool", {}).get("poetry", {}).get("packages", [])
        if packages and isinstance(packages[0], dict) and "include" in packages[0]:
            return str(packages[0]["include"])
        name = data.get("project", {}).get("name", "")
    else:  # pragma: no cover - Python 3.10
        match = re.search(r'include\s*=\s*"([^"]+)"', text) or re.search(r'^name\s*=\s*"([^"]+)"', text, re.M)
        name = match.group(1) if match else ""
    package = re.sub(r"[-.\s]+", "_", name).lower()
    if not (root / package / "__init__.py").is_file():
        raise ProjectNotFoundError(f"{root}: cannot tell the project's package (looked for {package}/__init__.py)")
    return package
