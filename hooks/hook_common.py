"""What the hook modules share: the error that fails generation and the answers' fixed values.

Standard library only, like every module in hooks/ (cookiecutter runs hooks with its own interpreter).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

BUNDLED = "bundled"
RUNTIME_PACKAGE = "kartcore"
VENDOR_DIR = Path("vendor") / "gokart-core"
#: What starts Jinja syntax: left in a rendered file it is a leftover; held by an answer, it is the answer's text.
JINJA_MARKERS = ("{{", "{%", "{#")
#: What the user runs to install the project, per package manager, as the generated README says.
USER_INSTALLS = {"poetry": "poetry install", "uv": "uv sync"}


class VerificationError(Exception):
    """The generated project is not what it should be; the message says what and where."""


def run_command(
    command: list[str], cwd: Path, environment: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` without a terminal; a command that outlives ``timeout`` fails verification."""
    try:
        return subprocess.run(
            command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise VerificationError(f"`{' '.join(command)}` took longer than {timeout:g} s") from None
