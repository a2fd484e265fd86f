"""Write-to-temp-then-rename, so a reader never sees a half-written file.

The temp file lives next to the final file (same directory, same filesystem), which makes the
final ``os.replace`` atomic on POSIX and Windows. Any failure removes the temp file, so nothing
partial is left behind; a process killed mid-write leaves only a dot-prefixed ``.kart-tmp`` file
that no task ever treats as an output.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import secrets
import socket
from collections.abc import Iterator
from typing import BinaryIO

TEMP_MARKER = ".kart-tmp-"

_process_tag: tuple[int, str] = (-1, "")
_sequence = itertools.count()


def temp_path_for(final_path: str) -> str:
    """A unique hidden sibling of ``final_path`` for writing before the rename.

    ``.<name>.kart-tmp-<host id>-<pid>-<random>-<counter>``: unique without a random draw per file (the
    random tag is drawn once per process, as two hosts sharing a file system may reuse a pid; a forked
    child draws its own). The host id and pid say who is writing, so ``kart clean`` can leave the temp
    files of a build that is still running alone (see :func:`temp_writer`).
    """
    global _process_tag
    pid = os.getpid()
    if _process_tag[0] != pid:
        _process_tag = (pid, f"{host_id()}-{pid}-{secrets.token_hex(4)}")
    directory, name = os.path.split(final_path)
    return os.path.join(directory, f".{name}{TEMP_MARKER}{_process_tag[1]}-{next(_sequence)}")


def is_temp_path(path: str) -> bool:
    """True for files this module creates while writing (never real outputs)."""
    return TEMP_MARKER in os.path.basename(path)


def host_id() -> str:
    """8 hex digits naming this machine *and* its process-id namespace (the host name alone is not enough:
    containers of one pod share a host name but not their pids)."""
    namespace = ""
    with contextlib.suppress(OSError, AttributeError):
        namespace = os.readlink("/proc/self/ns/pid")
    return hashlib.sha256(f"{socket.gethostname()}\0{namespace}".encode()).hexdigest()[:8]


def temp_writer(path: str) -> tuple[str, int] | None:
    """(host id, pid) of the process that wrote the temp file ``path``; None when its name does not say."""
    _, marker, tag = os.path.basename(path).partition(TEMP_MARKER)
    parts = tag.split("-")
    if not marker or len(parts) != 4 or len(parts[0]) != 8 or not parts[1].isdigit():
        return None  # not a temp name, or one from before the writer was named in it
    return parts[0], int(parts[1])


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
