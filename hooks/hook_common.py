"""What the hook modules share: the error that fails generation and the answers' fixed values.

Standard library only, like every module in hooks/ (cookiecutter runs hooks with its own interpreter).
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = "bundled"
RUNTIME_PACKAGE = "kartcore"
VENDOR_DIR = Path("vendor") / "gokart-core"


class VerificationError(Exception):
    """The generated project is not what it should be; the message says what and where."""
