"""Counting configuration reads: how the inspection tests measure work without timing anything.

luigi resolves every parameter a caller did not pass through its config parser, so the number of
``get``/``has_option`` calls tells whether defaults are resolved once per class or at every
instantiation (the difference between 0.7 s and 14 s on a 5,000-task DAG), whatever the machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import luigi.configuration
import pytest


@contextlib.contextmanager
def counting_config_reads() -> Iterator[Callable[[], int]]:
    """Count reads of luigi's configuration inside the block; the yielded function returns the count so far."""
    parser_class = type(luigi.configuration.get_config())
    reads = 0

    def counted(method: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return method(*args, **kwargs)

        return read

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parser_class, "get", counted(parser_class.get))
        patch.setattr(parser_class, "has_option", counted(parser_class.has_option))
        yield lambda: reads
