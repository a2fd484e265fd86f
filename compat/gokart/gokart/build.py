"""``gokart.build``: in-process runs, kartcore's (the package attribute ``gokart.build`` is the function)."""

from gokart._dropin import module_getattr
from kartcore import GokartBuildError, WorkerSchedulerFactory, build

__all__ = ["GokartBuildError", "WorkerSchedulerFactory", "build"]

_DUMP = "kartcore's build has no task_dump_config; `kart tree` / `kart show` print the tree and the outputs"
__getattr__ = module_getattr(
    "gokart.build",
    {
        "TaskDumpConfig": _DUMP,
        "TaskDumpMode": _DUMP,
        "TaskDumpOutputType": _DUMP,
        "LoggerConfig": "kartcore.build takes log_level= instead",
        "HideLogs": "",
        "_get_output": "",
        "_reset_register": "",
    },
)
