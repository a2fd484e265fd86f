"""``gokart.task``: the task base class, kartcore's, and the error an empty dump raises."""

from kartcore import TaskOnKart
from kartcore.errors import EmptyDumpError

__all__ = ["EmptyDumpError", "TaskOnKart"]
