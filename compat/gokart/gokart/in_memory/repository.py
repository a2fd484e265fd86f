"""``gokart.in_memory.repository``: the process-wide table of in-memory values."""

from kartcore.io.in_memory import InMemoryRepository as InMemoryCacheRepository

__all__ = ["InMemoryCacheRepository"]
