"""``gokart.build``: in-process runs, kartcore's (the package attribute ``gokart.build`` is the function)."""

from gokart._dropin import module_getattr
from kartcore import GokartBuildError, WorkerSchedulerFactory, build
from kartcore.execution.task_dump import TaskDumpConfig, TaskDumpMode, TaskDumpOutputType, process_task_info

__all__ = [
    "GokartBuildError",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "WorkerSchedulerFactory",
    "build",
    "process_task_info",
]

__getattr__ = module_getattr(
    "gokart.build",
    {
        "LoggerConfig": "kartcore.build takes log_level= instead",
        "HideLogs": "",
        "_get_output": "",
        "_reset_register": "",
    },
)
