"""``gokart.errors``: kartcore's exceptions under gokart's names."""

from gokart._dropin import module_getattr
from kartcore.errors import EmptyDumpError, GokartBuildError, PandasTypeError

__all__ = ["EmptyDumpError", "GokartBuildError", "PandasTypeError"]

__getattr__ = module_getattr(
    "gokart.errors",
    {"HasLockedTaskException": "kartcore raises kartcore.errors.LockError when a run lock is held elsewhere"},
)
