"""After generation, with ``verify=yes``: the project's metadata is what pip and Poetry will install, offline.

hook_answers refuses what it can before anything is written; this checks the generated pyproject.toml
itself, so that "verified" means the user's next command works: the distribution name is a PEP 508 name,
every author's email an address, and, for a Poetry project when Poetry is at hand, ``poetry check``
(what Poetry checks before it installs) accepts the file. Standard library only, like every hook module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_answers import DISTRIBUTION_NAME, EMAIL
from hook_common import VerificationError

POETRY_CHECK_TIMEOUT_SECONDS = 120


def check_metadata(project_dir: Path, context: Mapping[str, Any]) -> str:
    """Check the name and the emails of pyproject.toml, then ``poetry check``; one line saying what ran."""
    text = (project_dir / "pyproject.toml").read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):  # Python 3.10 has no TOML reader; the answers were checked before writing
        import tomllib

        project = tomllib.loads(text).get("project", {})
        name = str(project.get("name", ""))
        if not DISTRIBUTION_NAME.match(name):
            raise VerificationError(f"pyproject.toml: the distribution name {name!r} is not a PEP 508 name")
        for person in project.get("authors", []) + project.get("maintainers", []):
            email = person.get("email")
            if email is not None and not EMAIL.match(email):
                raise VerificationError(f"pyproject.toml: the author email {email!r} is not an address")
    if (context.get("package_manager") or "poetry") != "poetry":
        return "metadata: the name and the emails of pyproject.toml are valid"
    poetry = _poetry()
    if poetry is None:
        return "metadata: the name and the emails of pyproject.toml are valid (no poetry here for `poetry check`)"
    checked = subprocess.run(
        [poetry, "check", "--no-interaction"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=POETRY_CHECK_TIMEOUT_SECONDS,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    if checked.returncode != 0:
        reasons = [line.strip(" -") for line in (checked.stdout + checked.stderr).splitlines() if line.strip()]
        raise VerificationError(f"`poetry check` refuses pyproject.toml: {'; '.join(reasons)}")
    return "metadata: `poetry check` accepts pyproject.toml"


def _poetry() -> str | None:
    """The poetry beside this interpreter (a virtualenv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("poetry")
    return str(beside) if beside.is_file() else shutil.which("poetry")
