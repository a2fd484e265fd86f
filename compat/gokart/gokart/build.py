"""``gokart.build``: in-process runs, kartcore's (the package attribute ``gokart.build`` is the function)."""

from __future__ import annotations

import logging
from types import TracebackType

from gokart._dropin import module_getattr
from kartcore import GokartBuildError, WorkerSchedulerFactory, build
from kartcore.execution.logs import log_level
from kartcore.execution.task_dump import TaskDumpConfig, TaskDumpMode, TaskDumpOutputType, process_task_info

__all__ = [
    "GokartBuildError",
    "LoggerConfig",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "WorkerSchedulerFactory",
    "build",
    "logger",
    "process_task_info",
]

#: kartcore's logger: what ``build()`` and ``process_task_info`` log goes through it (or a child of it).
logger = logging.getLogger("kartcore")


class LoggerConfig:
    """``with LoggerConfig(level) as lc:`` sets luigi's and kartcore's loggers to ``level`` for the block.

    ``lc.logger`` is :data:`logger`. The previous levels come back afterwards; nothing is disabled globally.
    """

    def __init__(self, level: int) -> None:
        self.logger = logger
        self.level = level
        self._levels = log_level(level)

    def __enter__(self) -> LoggerConfig:
        self._levels.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._levels.__exit__(exc_type, exc, tb)


__getattr__ = module_getattr(
    "gokart.build",
    {
        "HideLogs": "kartcore.build takes log_level= instead",
        "_get_output": "",
        "_reset_register": "",
    },
)
