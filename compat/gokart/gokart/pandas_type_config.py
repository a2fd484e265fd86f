"""``gokart.pandas_type_config``: kartcore's ``PandasTypeConfig``."""

from kartcore import PandasTypeConfig

__all__ = ["PandasTypeConfig"]
