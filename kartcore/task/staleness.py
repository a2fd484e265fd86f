"""Whether a complete task's output still matches its code and its inputs, from its JSON run record alone.

A complete task is *stale* when its code fingerprint (:mod:`kartcore.task.fingerprint`) differs from the
one its run record holds, or when an input it consumed (:mod:`kartcore.task.fingerprint_inputs`) was
rewritten since. It is *unknown* - never silently stale or fresh - when there is nothing to compare:
no JSON run record (gokart, or ``should_dump_supplementary_log_files`` off), a record without
fingerprints (an older kartcore, another hashing scheme), or code whose source cannot be read.

This module judges one task; the DAG (a stale upstream makes its dependents stale, what the next run
does) is :mod:`kartcore.inspection.plan`. Nothing here changes what a run does: only ``rerun_stale``
acts on it. An input that no longer exists is not "rewritten": the version this task consumed is gone,
and whether its writer runs again is the plan's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kartcore.io.storage import display_path
from kartcore.task import past_runs
from kartcore.task.fingerprint import SCHEME, code_fingerprint
from kartcore.task.fingerprint_inputs import file_state

FRESH, STALE, UNKNOWN = "fresh", "stale", "unknown"


@dataclass(frozen=True)
class Verdict:
    """``fresh``, ``stale`` or ``unknown``, with the reasons (one line each)."""

    kind: str
    reasons: tuple[str, ...] = ()


def verdict(task: Any) -> Verdict:
    """The verdict for a complete task (its outputs exist), from its run record and the files now."""
    record = past_runs.run_record(task.workspace_directory, type(task).__name__, task.make_unique_id())
    if record is None:
        return Verdict(UNKNOWN, ("no fingerprint: no JSON run record (written by gokart, or records were off)",))
    return compare(task, record.get("fingerprints"))


def compare(task: Any, recorded: Any) -> Verdict:
    """Compare the ``fingerprints`` entry of a run record with ``task``'s code and inputs now."""
    if not isinstance(recorded, dict):
        return Verdict(UNKNOWN, ("no fingerprint in its run record (written by an older kartcore)",))
    if recorded.get("scheme") != SCHEME:
        return Verdict(UNKNOWN, (f"fingerprint of another scheme ({recorded.get('scheme')!r}) in its run record",))
    code, inputs = recorded.get("code"), recorded.get("inputs")
    if not isinstance(code, dict) or not isinstance(code.get("classes"), dict) or not isinstance(inputs, list):
        return Verdict(UNKNOWN, ("damaged fingerprint in its run record",))
    current = code_fingerprint(type(task))
    if current.problem is not None:
        return Verdict(UNKNOWN, (f"fingerprint unknown: {current.problem}",))
    if code.get("digest") is None:
        return Verdict(UNKNOWN, (f"fingerprint unknown when it ran: {code.get('problem')}",))
    reasons = [f"code of {name} changed" for name in _changed_classes(code["classes"], current.classes)]
    if not reasons and code["digest"] != current.digest:
        reasons.append(f"code of {type(task).__module__}.{type(task).__qualname__} changed")
    for entry in inputs:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            return Verdict(UNKNOWN, ("damaged fingerprint in its run record",))
        now = file_state(entry["path"])
        if now is not None and (now["mtime"] != entry.get("mtime") or now["size"] != entry.get("size")):
            reasons.append(f"input {display_path(entry['path'])} rewritten")
    return Verdict(STALE, tuple(reasons)) if reasons else Verdict(FRESH)


def _changed_classes(recorded: dict[str, Any], current: dict[str, str]) -> list[str]:
    """Classes hashed then or now whose digest differs (a base added or removed counts as changed)."""
    names = list(current) + [name for name in recorded if name not in current]
    return [name for name in names if recorded.get(name) != current.get(name)]
