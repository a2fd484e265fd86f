"""``gokart.in_memory``: kartcore's in-memory targets (values kept in this process, no file)."""

from gokart.in_memory.repository import InMemoryCacheRepository
from gokart.in_memory.target import InMemoryTarget, make_in_memory_target

__all__ = ["InMemoryCacheRepository", "InMemoryTarget", "make_in_memory_target"]
