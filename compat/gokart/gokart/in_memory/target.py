"""``gokart.in_memory.target``: the in-memory target and its factory."""

from kartcore.io.in_memory import InMemoryTarget, make_in_memory_target

__all__ = ["InMemoryTarget", "make_in_memory_target"]
