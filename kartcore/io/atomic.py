"""Write-to-temp-then-rename, so a reader never sees a half-written file.

The temp file lives next to the final file (same directory, same filesystem), which makes the
final ``os.replace`` atomic on POSIX and Windows. Any failure removes the temp file, so nothing
partial is left behind; a process killed mid-write leaves only a dot-prefixed ``.kart-tmp`` file
that no task ever treats as an output.

The temp name adds ~40 bytes to the final name, so for a long final name (one the file system
accepts) the name part of the temp name is cut to fit; the writer's tag after the marker never is.
A final name that is really too long fails before any byte is written, with a "name too long"
:class:`~kartcore.errors.StorageError` naming the path (not the "no space" of a full disk).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import secrets
import socket
from collections.abc import Iterator
from typing import BinaryIO

from kartcore.errors import StorageError

TEMP_MARKER = ".kart-tmp-"
#: Bytes in one file name on the usual file systems (ext4, xfs, btrfs, zfs, APFS); temp names stay within it.
NAME_MAX = 255

_process_tag: tuple[int, str] = (-1, "")
_sequence = itertools.count()


def temp_path_for(final_path: str, name_max: int = NAME_MAX) -> str:
    """A unique hidden sibling of ``final_path`` for writing before the rename.

    ``.<name>.kart-tmp-<host id>-<pid>-<random>-<counter>``: unique without a random draw per file (the
    random tag is drawn once per process, as two hosts sharing a file system may reuse a pid; a forked
    child draws its own). The host id and pid say who is writing, so ``kart clean`` can leave the temp
    files of a build that is still running alone (see :func:`temp_writer`). ``<name>`` is cut so the
    whole temp name fits in ``name_max`` bytes.
    """
    global _process_tag
    pid = os.getpid()
    if _process_tag[0] != pid:
        _process_tag = (pid, f"{host_id()}-{pid}-{secrets.token_hex(4)}")
    directory, name = os.path.split(final_path)
    suffix = f"{TEMP_MARKER}{_process_tag[1]}-{next(_sequence)}"
    return os.path.join(directory, f".{_cut(name, name_max - 1 - len(suffix))}{suffix}")


def _cut(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` bytes, cut between two UTF-8 characters."""
    encoded = os.fsencode(name)
    if len(encoded) <= limit:
        return name
    end = max(limit, 0)
    while end and encoded[end] & 0xC0 == 0x80:  # a continuation byte: inside a character
        end -= 1
    return os.fsdecode(encoded[:end])


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
def open_temp_for(final_path: str, final_is_local: bool = True) -> Iterator[tuple[str, BinaryIO]]:
    """Open a fresh temp file next to ``final_path``; on any exception the temp file is removed.

    The caller decides when (or whether) the temp file becomes the final one, which is what lets a
    task stage its outputs during ``run()`` and publish them only once ``run()`` succeeded.
    ``final_is_local=False`` (a local copy of an object for a store) skips the check that the final
    name fits this file system.
    """
    temp_path, file = _create(final_path, final_is_local)
    try:
        with file:
            yield temp_path, file
    except BaseException:
        remove_quietly(temp_path)
        raise


def _create(final_path: str, final_is_local: bool) -> tuple[str, BinaryIO]:
    """Create the temp file, retrying with a shorter temp name on a file system with shorter names."""
    directory = os.path.dirname(final_path) or "."
    temp_path = temp_path_for(final_path)
    try:
        file = _open_new(temp_path, directory)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        temp_path = temp_path_for(final_path, _name_max(directory) or NAME_MAX)
        try:
            file = _open_new(temp_path, directory)
        except OSError as again:
            if again.errno == errno.ENAMETOOLONG:
                raise name_too_long(final_path) from again
            raise
    name = len(os.fsencode(os.path.basename(final_path)))
    if final_is_local and name > len(os.fsencode(os.path.basename(temp_path))):  # the temp name was cut
        limit = _name_max(directory)
        if limit is not None and name > limit:
            file.close()
            remove_quietly(temp_path)
            raise name_too_long(final_path)
    return temp_path, file


def _open_new(temp_path: str, directory: str) -> BinaryIO:
    """Create the temp file; make its directory only when missing (the first file written there)."""
    try:
        return open(temp_path, "xb")
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return open(temp_path, "xb")


def _name_max(directory: str) -> int | None:
    """The longest file name ``directory``'s file system takes, in bytes; None when the OS cannot say."""
    try:
        return int(os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return None


def name_too_long(path: str, where: str = "the file system") -> StorageError:
    """The error for a path whose file or directory name ``where`` refuses as too long (ENAMETOOLONG)."""
    longest = max(len(os.fsencode(part)) for part in path.replace("\\", "/").split("/"))
    return StorageError(
        f"cannot write {path}: name too long for {where} (ENAMETOOLONG; its longest name is {longest} bytes, "
        f"most file systems take at most {NAME_MAX}). Nothing was published and the previous version, if any, "
        "is unchanged; use a shorter file name (the relative path given to make_target, or the parameter "
        "values in it)"
    )


def publish(temp_path: str, final_path: str) -> None:
    """Atomically move a finished temp file onto its final name (replacing any previous version)."""
    try:
        os.replace(temp_path, final_path)
    except BaseException as exc:
        remove_quietly(temp_path)
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            raise name_too_long(final_path) from exc
        raise
