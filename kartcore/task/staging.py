"""What a running task has written, waiting until ``run()`` has succeeded: its outputs and its run records.

Publishing everything only after ``run()`` returned means a task that raises half-way leaves its
previous outputs *and* the records that describe them untouched, and is never counted as complete.
Records are published first and outputs last, so the output file - the completion marker - is
always the last thing written and the records next to it describe the run that wrote it.
"""

from __future__ import annotations

from typing import Any

from kartcore.io import Target


class StagedOutputs:
    """The temp files of one run by final path (outputs and records apart), and what START learned."""

    def __init__(self) -> None:
        self._staged: dict[str, tuple[Target, str]] = {}
        self._records: dict[str, tuple[Target, str]] = {}
        #: Facts gathered before ``run()`` (seed, start time...) for the records staged after it.
        self.facts: Any = None

    def stage(self, target: Target, obj: object) -> None:
        """Write ``obj`` to a temp file for the output ``target``, replacing an earlier dump to it."""
        _replace(self._staged, target, target.stage(obj))

    def stage_record(self, target: Target, obj: object) -> None:
        """Write a run record to a temp file; it is published before any output."""
        _replace(self._records, target, target.stage(obj))

    def files(self) -> dict[str, str]:
        """Final path -> temp path of every staged output file (records and in-memory values left out)."""
        return {
            path: temp_path
            for path, (target, temp_path) in self._staged.items()
            if not getattr(target, "in_memory", False)
        }

    def __contains__(self, path: str) -> bool:
        return path in self._staged

    def commit_all(self) -> None:
        """Publish the records, then the outputs in reverse order of staging; on failure discard the rest."""
        try:
            for area in (self._records, self._staged):
                while area:
                    _, (target, temp_path) = area.popitem()
                    target.commit(temp_path)
        finally:
            self.discard_all()

    def discard_all(self) -> None:
        """Delete every staged temp file (after a failed run)."""
        for area in (self._records, self._staged):
            for target, temp_path in area.values():
                target.discard(temp_path)  # a file's temp file, or an in-memory target's staged value
            area.clear()


def _replace(area: dict[str, tuple[Target, str]], target: Target, temp_path: str) -> None:
    previous = area.pop(target.path(), None)
    if previous is not None:
        previous[0].discard(previous[1])
    area[target.path()] = (target, temp_path)
