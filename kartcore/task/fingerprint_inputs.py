"""What a run consumed: each input file as it was when the task read it, and the task that wrote it.

Recorded in the JSON run record next to the code fingerprint, so that a later look can tell whether an
input was rewritten after this task consumed it (:mod:`kartcore.task.staleness`). An input is noted when
``load()``/``load_generator()`` reads it during ``run()`` (as it was then); inputs the task declares
(``requires()``) but read another way (``self.input().path()``) are noted when ``run()`` returned.

Per input: its path, the modification time (seconds since the epoch) and size the storage reports, and
the writer: family, unique id and code fingerprint of the required task whose output it is (None for a
file no required task writes; a plain luigi task, such as an ``ExternalTask`` for a data file, has its
task id and no code fingerprint). Only the stat is taken, never a hash of the bytes: a rewrite is any new
version of the file, even one with equal bytes.
"""

from __future__ import annotations

from typing import Any

from luigi.task import flatten

from kartcore.io.storage import storage_for
from kartcore.task.fingerprint import code_fingerprint


def file_state(path: str) -> dict[str, Any] | None:
    """``{"mtime": seconds, "size": bytes}`` of the file at ``path``, None when it does not exist.

    Any other storage failure raises (a store that cannot be reached is not "rewritten").
    """
    storage = storage_for(path)
    try:
        return {"mtime": round(storage.modified(path).timestamp(), 6), "size": int(storage.size(path))}
    except FileNotFoundError:
        return None


def note_loaded(task: Any, path: str) -> None:
    """During ``run()``: remember the state of an input as this task reads it (the first read counts)."""
    staged = getattr(task, "_kart_staged", None)
    facts = getattr(staged, "facts", None)
    consumed = getattr(facts, "consumed", None)
    if consumed is None or path in consumed:
        return
    state = file_state(path)
    if state is not None:
        consumed[path] = state


def consumed_inputs(task: Any, consumed: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``inputs`` of the run record: what was read, plus the declared inputs read another way."""
    writers = _writers(task)
    entries = dict(consumed)
    for path in writers:
        if path not in entries:
            state = file_state(path)
            if state is not None:
                entries[path] = state
    return [dict(path=path, **state, writer=writers.get(path)) for path, state in sorted(entries.items())]


def _writers(task: Any) -> dict[str, dict[str, Any] | None]:
    """Output path -> the required task that writes it: family, unique id (luigi's task id for a plain luigi
    task, e.g. an ``ExternalTask`` naming a data file) and code digest (None for a plain luigi task)."""
    found: dict[str, dict[str, Any] | None] = {}
    for required in flatten(task.requires()):
        kart = getattr(required, "_kart_task", False)
        if kart and required.is_endpoint():
            continue
        writer = {
            "task_family": required.get_task_family(),
            "unique_id": required.make_unique_id() if kart else required.task_id,
            "code": code_fingerprint(type(required)).digest if kart else None,
        }
        for target in flatten(required.output()):
            path = getattr(target, "path", None)
            path = path() if callable(path) else path  # kartcore's Target.path() is a method, luigi's a string
            if isinstance(path, str):
                found.setdefault(path, writer)
    return found
