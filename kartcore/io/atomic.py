"""Write-to-temp-then-rename, so a reader never sees a half-written file.

The temp file lives next to the final file (same directory, same filesystem), which makes the
final ``os.replace`` atomic on POSIX and Windows. Any failure removes the temp file, so nothing
partial is left behind; a process killed mid-write leaves only a dot-prefixed ``.kart-tmp`` file
that no task ever treats as an output.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

TEMP_MARKER = ".kart-tmp-"

_process_tag: tuple[int, str] = (-1, "")
_sequence = itertools.count()


def temp_path_for(final_path: str) -> str:
    """A unique hidden sibling of ``final_path`` for writing before the rename.

    Unique without a random draw per file: the process id, a random tag drawn once per process (two
    hosts sharing a file system may reuse a pid; a forked child draws its own) and a counter.
    """
    global _process_tag
    pid = os.getpid()
    if _process_tag[0] != pid:
        _process_tag = (pid, f"{pid}-{secrets.token_hex(4)}")
    directory, name = os.path.split(final_path)
    return os.path.join(directory, f".{name}{TEMP_MARKER}{_process_tag[1]}-{next(_sequence)}")


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
    temp_path = temp_path_for(final_path)
    try:
        with _create(temp_path, os.path.dirname(final_path)) as file:
            yield temp_path, file
    except BaseException:
        remove_quietly(temp_path)
        raise


def _create(temp_path: str, directory: str) -> BinaryIO:
    """Create the temp file; make its directory only when missing (the first file written there)."""
    try:
        return open(temp_path, "xb")
    except FileNotFoundError:
        os.makedirs(directory or ".", exist_ok=True)
        return open(temp_path, "xb")


def publish(temp_path: str, final_path: str) -> None:
    """Atomically move a finished temp file onto its final name (replacing any previous version)."""
    try:
        os.replace(temp_path, final_path)
    except BaseException:
        remove_quietly(temp_path)
        raise
