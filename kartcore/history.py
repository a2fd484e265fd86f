"""Kept as a public import path only: README documents ``kartcore.history.task_history()``.

The code lives in :mod:`kartcore.inspection.history`; nothing in kartcore imports this module.
"""

from __future__ import annotations

from kartcore.inspection.history import RunRecord, runs, task_history

__all__ = ["RunRecord", "runs", "task_history"]
