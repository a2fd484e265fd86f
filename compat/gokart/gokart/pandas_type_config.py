"""``gokart.pandas_type_config``: kartcore's ``PandasTypeConfig`` and the error its check raises."""

from kartcore import PandasTypeConfig
from kartcore.errors import PandasTypeError

__all__ = ["PandasTypeConfig", "PandasTypeError"]
