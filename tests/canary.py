"""A pickle that tells when it was unpickled, and files owned by someone else: the tools of the trust tests.

Loading :func:`canary_bytes` calls :func:`trip`, which records the load in :data:`TRIPPED`; a test
asserts that a refused file left it empty, so "refused" means "never ran", not just "raised".
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

#: A uid that owns nothing on the test machine: "someone else".
OTHER_UID = 12345
#: One entry per canary unpickled since the last :func:`reset`.
TRIPPED: list[str] = []

needs_root = os.getuid() == 0  # changing a file's owner needs root


def trip(label: str) -> str:
    """Called by unpickling a canary: records the load and returns the label (a harmless value)."""
    TRIPPED.append(label)
    return label


class _Canary:
    def __init__(self, label: str) -> None:
        self.label = label

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return trip, (self.label,)


def canary_bytes(label: str = "canary") -> bytes:
    """A pickle whose loading calls :func:`trip` (as a hostile pickle would call anything)."""
    return pickle.dumps(_Canary(label), protocol=5)


def plant(path: str | os.PathLike[str], label: str = "canary", uid: int | None = OTHER_UID) -> Path:
    """Replace the file at ``path`` by a canary pickle owned by ``uid`` (None: keep the current owner)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(canary_bytes(label))
    if uid is not None:
        os.chown(target, uid, -1)
    return target


def give_away(path: str | os.PathLike[str], uid: int = OTHER_UID) -> None:
    """Make ``path`` (not the link, if it is one) owned by ``uid``."""
    os.chown(path, uid, -1)


def reset() -> None:
    """Forget earlier trips."""
    TRIPPED.clear()
