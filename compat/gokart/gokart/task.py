"""``gokart.task``: the task base class, kartcore's."""

from kartcore import TaskOnKart

__all__ = ["TaskOnKart"]
