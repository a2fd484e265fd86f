"""kartcore: gokart-compatible tasks on luigi - cached, parameter-hashed outputs with run records.

``import kartcore as gokart`` runs code written for gokart. Importing this package loads luigi and
the standard library only; pandas and other heavy libraries load when a format needs them.
"""

from kartcore import testing  # so that gokart.testing.assert_frame_contents_equal works without an import
from kartcore.config import add_config
from kartcore.errors import BuildError, GokartBuildError, KartError
from kartcore.execution import WorkerSchedulerFactory, build, run
from kartcore.inspection.tree import make_task_info_as_tree_str, make_tree_info, tree_info
from kartcore.io import Target, register_format
from kartcore.pandas_type_config import PandasTypeConfig
from kartcore.task import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    SerializableParameter,
    TaskInstanceParameter,
    TaskOnKart,
    ZonedDateSecondParameter,
)

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "ExplicitBoolParameter",
    "GokartBuildError",
    "KartError",
    "ListTaskInstanceParameter",
    "PandasTypeConfig",
    "SerializableParameter",
    "Target",
    "TaskInstanceParameter",
    "TaskOnKart",
    "WorkerSchedulerFactory",
    "ZonedDateSecondParameter",
    "__version__",
    "add_config",
    "build",
    "make_task_info_as_tree_str",
    "make_tree_info",
    "register_format",
    "run",
    "testing",
    "tree_info",
]
