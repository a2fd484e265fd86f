"""Running DAGs: ``build`` (in process) and ``run`` (command line) on luigi's scheduler and worker."""

from kartcore.execution.build import build
from kartcore.execution.factory import WorkerSchedulerFactory
from kartcore.execution.run import run

__all__ = ["WorkerSchedulerFactory", "build", "run"]
