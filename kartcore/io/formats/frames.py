"""Recognise pandas objects without importing pandas.

``import kartcore`` must not pull in pandas, so type checks look at ``sys.modules``: if pandas was
never imported, the object cannot be a pandas frame.
"""

from __future__ import annotations

import sys
from typing import Any

from kartcore.errors import FormatError


def is_pandas_frame_or_series(obj: Any) -> bool:
    """True if ``obj`` is a pandas DataFrame or Series."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, (pd.DataFrame, pd.Series))


def is_pandas_frame(obj: Any) -> bool:
    """True if ``obj`` is a pandas DataFrame."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def import_pandas(extension: str) -> Any:
    """Import pandas for a format that needs it, with an install hint when it is missing."""
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is installed in the test environment
        raise FormatError(f"{extension} files need pandas: pip install 'gokart-core[pandas]'") from exc
    return pandas
