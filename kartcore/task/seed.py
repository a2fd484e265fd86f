"""Fix random seeds before a task runs, so a rerun of the same task draws the same numbers.

The seed is derived from the task's unique id (or ``fix_random_seed_value`` when set, 0 included:
gokart treats 0 as unset). Each method is a dotted callable such as ``numpy.random.seed``; a
method whose library is not installed is skipped and left out of the record.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

SEED_MODULUS = 2**32 - 1


def seed_for(unique_id: str, fixed_value: int | None) -> int:
    """The seed for a task: the fixed value if given, else derived from the unique id (as gokart)."""
    return fixed_value if fixed_value is not None else int(unique_id, 16) % SEED_MODULUS


def seed_modules(methods: Iterable[str]) -> list[str]:
    """The modules the dotted seed methods live in (imported by :func:`apply_seed`, or ahead of time)."""
    return [module for module in (str(method).rpartition(".")[0] for method in methods) if module]


def apply_seed(methods: Iterable[str], seed: int) -> list[str]:
    """Call each dotted method with ``seed``; return the ones that could be called."""
    applied = []
    for method in methods:
        module_name, _, attribute = method.rpartition(".")
        try:
            function = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError, ValueError):
            continue
        function(seed)
        applied.append(method)
    return applied
