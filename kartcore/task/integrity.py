"""Optional output checksums (``verify_outputs``): catch files changed after they were written.

A pickle whose bytes were flipped on disk may still load, into a wrong value. With
``verify_outputs`` on, a task records the sha256 of every output it publishes in
``<workspace>/log/checksum/<ClassName>_<unique id>.json`` (output path -> digest), written before
the outputs are published like every other run record. A task with ``verify_outputs`` on compares
each input it loads with the record of the task that wrote it and refuses a mismatch. An input
whose writer kept no record (it ran with ``verify_outputs`` off) is loaded unchecked.

A publish with ``verify_outputs`` off removes the task's old record, so it never describes a newer file.
"""

from __future__ import annotations

import hashlib
from typing import Any

from luigi.task import flatten

from kartcore.errors import FormatError, OutputNotFoundError
from kartcore.io import Target
from kartcore.io.formats import format_for_extension
from kartcore.io.storage import storage_for
from kartcore.io.trust import TrustPolicy
from kartcore.task.naming import log_path

CHECKSUM = "checksum"
_CHUNK = 1024 * 1024


def checksum_target(task: Any) -> Target:
    """The checksum record of ``task``."""
    path = log_path(task.workspace_directory, CHECKSUM, type(task).__name__, task.make_unique_id(), ".json")
    return Target(path, format_for_extension(".json"), owner=task.label())


def sha256_of(path: str) -> str:
    """The sha256 of the file's bytes, read in chunks (local path or fsspec URL)."""
    digest = hashlib.sha256()
    with storage_for(path).open_read(path) as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_checksums(task: Any, staged_files: dict[str, str]) -> None:
    """Before publishing: write the digests of the staged files (final path -> digest), or drop a stale record."""
    target = checksum_target(task)
    if not task.verify_outputs:
        target.remove()
        return
    target.dump({final: sha256_of(temp) for final, temp in sorted(staged_files.items())})


def trust_of(task: Any) -> TrustPolicy:
    """The task's ``refuse_foreign_pickles``/``trusted_pickle_locations`` as the policy its targets and loads apply.

    The check itself is made by :meth:`kartcore.io.Target.load` on the opened file, for every caller.
    """
    return TrustPolicy(bool(task.refuse_foreign_pickles), tuple(str(p) for p in task.trusted_pickle_locations))


def check_before_load(task: Any, target: Target) -> None:
    """The checks a task's settings ask for before an input is loaded: its checksum (trust is checked by the load)."""
    if task.verify_outputs:
        verify_input(task, target)


def verify_input(task: Any, target: Target) -> None:
    """Raise FormatError if ``target`` no longer has the digest its writer recorded."""
    writer = _writer_of(task, target.path())
    if writer is None:
        return
    try:
        expected = checksum_target(writer).load().get(target.path())
    except OutputNotFoundError:
        return
    if expected is None:
        return
    try:
        found = sha256_of(target.path())
    except FileNotFoundError:
        return  # the load reports the missing file
    if found != expected:
        raise FormatError(
            f"{task.label()} cannot load its input {target.path()}: its bytes changed after {writer.label()} "
            f"wrote it (sha256 recorded {expected[:16]}..., found {found[:16]}...). The file is corrupt: run "
            f"{writer.get_task_family()} again with rerun=True (or delete the file) to write it again"
        )


def _writer_of(task: Any, path: str) -> Any:
    for required in flatten(task.requires()):
        writes = getattr(required, "_kart_task", False) and not required.is_endpoint()
        if writes and any(getattr(t, "path", None) and t.path() == path for t in flatten(required.output())):
            return required
    return None
