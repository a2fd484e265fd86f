"""What the hook modules share: the error that fails generation and the answers' fixed values.

Standard library only, like every module in hooks/ (cookiecutter runs hooks with its own interpreter).
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = "bundled"
RUNTIME_PACKAGE = "kartcore"
VENDOR_DIR = Path("vendor") / "gokart-core"
#: What starts Jinja syntax: left in a rendered file it is a leftover; held by an answer, it is the answer's text.
JINJA_MARKERS = ("{{", "{%", "{#")


class VerificationError(Exception):
    """The generated project is not what it should be; the message says what and where."""
