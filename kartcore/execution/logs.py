"""Temporary log levels for ``build()``, restored afterwards (gokart toggles ``logging.disable`` globally)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

LOGGER_NAMES = ("luigi", "luigi-interface", "kartcore")


@contextlib.contextmanager
def log_level(level: int) -> Iterator[None]:
    """Set luigi's and kartcore's loggers to ``level``; print to stderr if nothing else would."""
    loggers = [logging.getLogger(name) for name in LOGGER_NAMES]
    saved = [(logger, logger.level) for logger in loggers]
    added: list[tuple[logging.Logger, logging.Handler]] = []
    if not logging.getLogger().handlers:
        for logger in loggers:
            if not logger.handlers:
                handler = logging.StreamHandler(sys.stderr)
                handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
                logger.addHandler(handler)
                added.append((logger, handler))
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, handler in added:
            logger.removeHandler(handler)
        for logger, previous in saved:
            logger.setLevel(previous)
