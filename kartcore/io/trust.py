"""Refusing pickles someone else wrote: loading a pickle runs whatever code its writer put in it.

A :class:`TrustPolicy` says whether such files (formats with ``runs_code_on_load``) may be loaded.
With ``refuse_foreign`` on, a file is loaded only if

* it lies under one of the trusted locations, the path resolved through every symlink (a link in
  a trusted workspace pointing at a file elsewhere does not make that file trusted), or
* it is a local file owned by the current user that no one else can write (not world-writable,
  and group-writable only when the group is the user's own private group).

The check is made on the *opened* file (``os.fstat`` of its descriptor), and the bytes are then read
from that same descriptor, so a file swapped for another between the check and the read (or a
symlink to a foreign file) is still caught. Files on object storage have no owner we can check,
so they must lie under a trusted location.

:class:`~kartcore.io.Target` applies the policy on every load, so there is one guard for every
caller (task inputs, ``build()``'s return value, run records, ``kart show``/``kart history``).
A target without a policy of its own uses :func:`configured_policy`, the ``[TaskOnKart]`` settings.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from typing import Any

import luigi

from kartcore.errors import UntrustedFileError

SECTION = "TaskOnKart"
REFUSE_SETTING = "refuse_foreign_pickles"
LOCATIONS_SETTING = "trusted_pickle_locations"


@dataclass(frozen=True)
class TrustPolicy:
    """Whether files that run code on load are refused unless trusted, and which locations are trusted."""

    refuse_foreign: bool = False
    locations: tuple[str, ...] = ()

    def check(self, path: str, file: Any = None) -> None:
        """Raise :class:`UntrustedFileError` unless ``file`` (opened from ``path``) may be loaded.

        Without ``file`` a local path is opened here just for the check; pass the file the bytes will
        be read from whenever there is one, so that what is checked is what is read.
        """
        if not self.refuse_foreign:
            return
        if _is_remote(path):
            if not _remote_under(path, self.locations):
                raise _untrusted(path, "files on object storage have no owner kartcore can check")
            return
        local = path.removeprefix("file://")
        if file is None:
            with open(local, "rb") as opened:
                self.check(path, opened)
            return
        status = os.fstat(file.fileno())
        if _local_under(local, status, self.locations):
            return
        why = _why_foreign(status)
        if why:
            raise _untrusted(path, why)


def configured_policy(family: str | None = None) -> TrustPolicy:
    """The policy the configuration sets: ``[family]`` first, then ``[TaskOnKart]`` (command line included).

    It applies to loads that no task asks for with its own parameters (a plain ``Target(path).load()``,
    ``kart history``), so the setting in ``conf/param.ini`` covers them too.
    """
    sections = [family, SECTION] if family and family != SECTION else [SECTION]
    refuse = _setting(sections, REFUSE_SETTING)
    locations = _setting(sections, LOCATIONS_SETTING)
    return TrustPolicy(
        refuse is not None and luigi.BoolParameter().parse(refuse),
        tuple(str(location) for location in luigi.ListParameter().parse(locations)) if locations else (),
    )


def check_trusted(path: str, trusted_locations: Any) -> None:
    """Raise :class:`UntrustedFileError` unless ``path`` may be loaded with refusal on (see the module docstring)."""
    TrustPolicy(True, tuple(trusted_locations)).check(path)


def private_directory(directory: str) -> bool:
    """True when no one but you (and root) can replace what is created under ``directory``.

    It and every directory above it (symlinks resolved) must belong to you or root and be writable by
    no one else, unless sticky like ``/tmp`` (where others cannot rename your entries). Scratch files
    that are written and then read back (a model's files around its zip) need such a place: in a
    directory others can write, they could swap the files between the write and the read.
    """
    me = _current_uid()
    if me is None:  # pragma: no cover - no owners on this OS
        return False
    path = os.path.realpath(directory)
    while True:
        status = os.stat(path)
        if status.st_uid not in (me, 0) or (_others_can_write(status) and not status.st_mode & stat.S_ISVTX):
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _setting(sections: list[str], name: str) -> str | None:
    """The raw text of a setting (``--Section-name`` on the command line, then the config file), first section first."""
    lookup = luigi.Parameter()  # no default, no parsing: only where luigi would find a value
    for section in sections:
        if lookup.has_task_value(section, name):
            return str(lookup.task_value(section, name))
    return None


def _is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _remote_under(path: str, locations: tuple[str, ...]) -> bool:
    """A URL under a trusted URL prefix; a key with a ``..`` segment never counts (stores differ on it)."""
    scheme, _, key = path.partition("://")
    if ".." in key.split("/"):
        return False
    for location in locations:
        if "://" not in location:
            continue
        prefix_scheme, _, prefix = location.partition("://")
        prefix = posixpath.normpath(prefix).strip("/") if prefix.strip("/") else ""
        if prefix_scheme.lower() == scheme.lower() and (not prefix or key == prefix or key.startswith(prefix + "/")):
            return True
    return False


def _local_under(path: str, status: os.stat_result, locations: tuple[str, ...]) -> bool:
    """The opened file lies under a trusted local location once every symlink is resolved.

    The resolved path must still name the opened file (same device and inode), so a path swapped
    after opening does not lend its location to the file that was opened.
    """
    local = [os.path.realpath(location.removeprefix("file://")) for location in locations if not _is_remote(location)]
    if not local:
        return False
    resolved = os.path.realpath(path)
    if not any(resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep) for root in local):
        return False
    try:
        current = os.stat(resolved)
    except OSError:
        return False
    return (current.st_dev, current.st_ino) == (status.st_dev, status.st_ino)


def _why_foreign(status: os.stat_result) -> str:
    """Why a local file is not the current user's alone ('' when it is)."""
    me = _current_uid()
    if me is None:  # no owners on this OS: only trusted locations can vouch for a file
        return "this system has no file owners kartcore can check"
    if status.st_uid != me:
        return f"it is owned by uid {status.st_uid}, not by you (uid {me})"
    return _others_can_write(status)


def _others_can_write(status: os.stat_result) -> str:
    """Who besides its owner can write the file or directory ('' when no one)."""
    if status.st_mode & stat.S_IWOTH:
        return "every user can write to it (it is world-writable)"
    if status.st_mode & stat.S_IWGRP and not _private_group(status.st_gid):
        return f"the other members of group {status.st_gid} can write to it (chmod g-w it if that is not wanted)"
    return ""


def _current_uid() -> int | None:
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def _private_group(gid: int) -> bool:
    """The user's own primary group with no other listed member (a "user private group", umask 002)."""
    try:
        import grp
        import pwd
    except ImportError:  # pragma: no cover - not POSIX
        return False
    try:
        me = pwd.getpwuid(os.geteuid())
        members = grp.getgrgid(gid).gr_mem
    except KeyError:  # a uid or gid without an entry (containers): nothing says the group is private
        return False
    if gid != me.pw_gid:
        return False
    return all(member == me.pw_name for member in members)


def _untrusted(path: str, why: str) -> UntrustedFileError:
    return UntrustedFileError(
        f"refusing to load {path}: loading it runs code and {why}. If you trust whoever wrote it, add its "
        f"workspace to [{SECTION}] {LOCATIONS_SETTING} (or set {REFUSE_SETTING} = false)"
    )
