"""Data frames without importing a frame library: type checks, imports with hints, the frame base class.

``import kartcore`` must not pull in pandas or polars, so type checks look at ``sys.modules``: if a
library was never imported, the object cannot be one of its frames.
"""

from __future__ import annotations

import copy
import sys
from typing import Any, BinaryIO, ClassVar

from kartcore.errors import FormatError
from kartcore.io.formats.base import FRAME_LIBRARIES, FileFormat, local_path


def is_pandas_frame_or_series(obj: Any) -> bool:
    """True if ``obj`` is a pandas DataFrame or Series."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, (pd.DataFrame, pd.Series))


def is_pandas_frame(obj: Any) -> bool:
    """True if ``obj`` is a pandas DataFrame."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def is_polars_frame(obj: Any) -> bool:
    """True if ``obj`` is a polars DataFrame or LazyFrame."""
    pl = sys.modules.get("polars")
    return pl is not None and isinstance(obj, (pl.DataFrame, pl.LazyFrame))


def import_optional(module: str, extension: str, install: str = "") -> Any:
    """Import a library a format needs, or raise FormatError with the command that installs it."""
    try:
        return __import__(module)
    except ImportError as exc:
        raise FormatError(f"{extension} files need {module}: pip install {install or module}") from exc


def import_pandas(extension: str) -> Any:
    """Import pandas for a format that needs it, with an install hint when it is missing."""
    return import_optional("pandas", extension, "'gokart-core[pandas]'")


def import_polars(extension: str) -> Any:
    """Import polars for a format that needs it, with an install hint when it is missing."""
    return import_optional("polars", extension)


def non_string_columns(frame: Any) -> list[Any]:
    """The column names of a pandas frame that are not strings (parquet and feather refuse them)."""
    return [name for name in frame.columns if not isinstance(name, str)]


def string_columns_problem(frame: Any) -> str | None:
    """Why ``frame`` cannot go to a format that needs string column names (parquet, feather, json), or None."""
    bad = non_string_columns(frame)
    if not bad:
        return None
    shown = ", ".join(f"{name!r} ({type(name).__name__})" for name in bad[:10])
    more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
    return (
        f"needs string column names; these are not: {shown}{more}. "
        "Rename them, e.g. frame.columns = frame.columns.map(str)"
    )


class FrameFormat(FileFormat):
    """A format for data frames: pandas by default, polars when asked (``with_frame_library``).

    Subclasses implement ``dump_pandas``/``load_pandas`` and ``dump_polars``/``load_polars``, and
    may implement ``scan_polars(path)`` for lazy frames. A polars LazyFrame is collected before
    writing.
    """

    extension: ClassVar[str] = ""
    expects = "a pandas or polars DataFrame"
    #: Whether a pandas Series is accepted too (csv writes it as one column).
    accepts_series: ClassVar[bool] = False
    #: Whether pandas column names must be strings (parquet and feather).
    needs_string_columns: ClassVar[bool] = False

    frame_library: str = "pandas"

    def with_frame_library(self, library: str) -> FileFormat:
        if library not in FRAME_LIBRARIES:
            raise FormatError(f"frame_library must be one of {', '.join(FRAME_LIBRARIES)}, not {library!r}")
        if library == self.frame_library:
            return self
        configured = copy.copy(self)
        configured.frame_library = library
        return configured

    def check(self, obj: Any) -> None:
        if is_polars_frame(obj):
            return
        if not (is_pandas_frame(obj) or (self.accepts_series and is_pandas_frame_or_series(obj))):
            raise self.refuse(obj)
        if self.needs_string_columns and is_pandas_frame(obj):
            problem = string_columns_problem(obj)
            if problem:
                raise FormatError(problem)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        if is_polars_frame(obj):
            pl = sys.modules["polars"]
            self.dump_polars(obj.collect() if isinstance(obj, pl.LazyFrame) else obj, file)
        else:
            self.dump_pandas(obj, file)

    def load(self, file: BinaryIO) -> Any:
        if self.frame_library == "pandas":
            return self.load_pandas(file)
        if self.frame_library == "polars-lazy":
            path = local_path(file)
            scan = getattr(self, "scan_polars", None)
            if path is not None and scan is not None:
                return scan(path)
            return self.load_polars(file).lazy()
        return self.load_polars(file)

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        raise NotImplementedError

    def load_pandas(self, file: BinaryIO) -> Any:
        raise NotImplementedError

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        raise NotImplementedError

    def load_polars(self, file: BinaryIO) -> Any:
        raise NotImplementedError
