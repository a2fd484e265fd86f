"""Outputs dumped during ``run()`` wait here until ``run()`` has succeeded.

Publishing every output only after ``run()`` returned (and after the run records were written)
means a task that raises half-way leaves its previous outputs untouched and is never counted as
complete, and the output file - the completion marker - is always the last thing written.
"""

from __future__ import annotations

from kartcore.io import Target


class StagedOutputs:
    """The temp files a running task has written, by final path."""

    def __init__(self) -> None:
        self._staged: dict[str, tuple[Target, str]] = {}

    def stage(self, target: Target, obj: object) -> None:
        """Write ``obj`` to a temp file for ``target``, replacing an earlier dump to the same target."""
        temp_path = target.stage(obj)
        previous = self._staged.pop(target.path(), None)
        if previous is not None:
            Target.discard(previous[1])
        self._staged[target.path()] = (target, temp_path)

    def files(self) -> dict[str, str]:
        """Final path -> temp path of every staged file."""
        return {path: temp_path for path, (_, temp_path) in self._staged.items()}

    def __contains__(self, path: str) -> bool:
        return path in self._staged

    def commit_all(self) -> None:
        """Publish every staged file under its final name; on failure discard the rest."""
        try:
            while self._staged:
                _, (target, temp_path) = self._staged.popitem()
                target.commit(temp_path)
        finally:
            self.discard_all()

    def discard_all(self) -> None:
        """Delete every staged temp file (after a failed run)."""
        for target, temp_path in self._staged.values():
            target.discard(temp_path)
        self._staged.clear()
