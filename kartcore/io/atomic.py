"""Write-to-temp-then-rename, so a reader never sees a half-written file.

The temp file lives next to the final file (same directory, same filesystem), which makes the
final ``os.replace`` atomic on POSIX and Windows. Any failure removes the temp file, so nothing
partial is left behind; a process killed mid-write leaves only a dot-prefixed ``.kart-tmp`` file
that no task ever treats as an output.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import BinaryIO

TEMP_MARKER = ".kart-tmp-"


def temp_path_for(final_path: str) -> str:
    """A unique hidden sibling of ``final_path`` for writing before the rename."""
    directory, name = os.path.split(final_path)
    return os.path.join(directory, f".{name}{TEMP_MARKER}{os.getpid()}-{uuid.uuid4().hex[:12]}")


def is_temp_path(path: str) -> bool:
    """True for files this module creates while writing (never real outputs)."""
    return TEMP_MARKER in os.path.basename(path)


def remove_quietly(path: str) -> None:
    """Delete ``path`` if it exists; used on the failure paths only."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@contextlib.contextmanager
def open_temp_for(final_path: str) -> Iterator[tuple[str, BinaryIO]]:
    """Open a fresh temp file next to ``final_path``; on any exception the temp file is removed.

    The caller decides when (or whether) the temp file becomes the final one, which is what lets a
    task stage its outputs during ``run()`` and publish them only once ``run()`` succeeded.
    """
    directory = os.path.dirname(final_path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    temp_path = temp_path_for(final_path)
    try:
        with open(temp_path, "wb") as file:
            yield temp_path, file
    except BaseException:
        remove_quietly(temp_path)
        raise


def publish(temp_path: str, final_path: str) -> None:
    """Atomically move a finished temp file onto its final name (replacing any previous version)."""
    try:
        os.replace(temp_path, final_path)
    except BaseException:
        remove_quietly(temp_path)
        raise
