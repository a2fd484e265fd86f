"""Frames in ``.json``: pandas' table JSON, written so that it loads back equal, or refused before writing.

Why: ``to_json(orient="table")`` alone loses data silently or writes files that never load again:
integer column names (written, then ``read_json`` fails on every load), duplicate column names (read
back as other columns), inf and -inf (written as null, read as NaN), floats cut to 10 significant
digits, datetimes cut to milliseconds, a non-unique index (read back as a column). What can be fixed is
fixed here: floats are written exactly, datetimes to the nanosecond, the index is always the primary
key. What cannot is refused before anything is written, with the reason and the fix. As the last guard,
every frame is read back in memory and compared before the text is written, so a ``.json`` frame that
exists loads back equal: values, index, column and index names (widths may grow: float32 comes back as
float64, a datetime's unit as nanoseconds, a Series as a one-column frame). That guard costs about one
load per dump, which suits what ``.json`` is for (small frames a person or another tool reads); big
frames belong in ``.parquet``.
"""

from __future__ import annotations

import io
import json
import warnings
from typing import Any

from kartcore.errors import FormatError
from kartcore.io.formats.frames import is_pandas_frame, string_columns_problem

#: The fix offered whenever a frame cannot be written as table JSON.
OTHER_FORMATS = "write it as .parquet or .pkl instead"


def as_frame(obj: Any) -> Any:
    """The frame pandas writes for ``obj``: a Series becomes one column (named "values" when unnamed)."""
    if is_pandas_frame(obj):
        return obj
    return obj.to_frame(name="values" if obj.name is None else obj.name)


def frame_problem(obj: Any) -> str | None:
    """What table JSON cannot hold in ``obj`` (a pandas frame or Series), found without serialising; or None."""
    frame = as_frame(obj)
    problem = string_columns_problem(frame)
    if problem:
        return f"{problem}, or write it as .pkl instead"
    with_nul = [name for name in [*frame.columns, *frame.index.names] if isinstance(name, str) and "\x00" in name]
    if with_nul:
        return f"cannot hold names with a NUL character ({with_nul[0]!r}): pandas' JSON reader cuts them. Rename them"
    duplicated = sorted({str(name) for name in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        return (
            f"cannot hold duplicate column names ({', '.join(map(repr, duplicated))}): they would load back as "
            f"other columns. Rename them so that each is unique"
        )
    problem = _index_names_problem(frame)
    if problem:
        return f"{problem}. Rename them, e.g. frame = frame.rename_axis(['row', ...]), or {OTHER_FORMATS}"
    for name in frame.columns:
        problem = _float_problem(frame[name])
        if problem:
            return f"cannot hold {problem} (column {name!r}). Replace them, or {OTHER_FORMATS}"
    return None


def _index_names_problem(frame: Any) -> str | None:
    """Index names pandas writes but cannot read back: not strings, repeated, its defaults, or a column's name."""
    names = list(frame.index.names)
    odd = next((name for name in names if name is not None and not isinstance(name, str)), None)
    if odd is not None:
        return f"needs string index names; {odd!r} ({type(odd).__name__}) is not"
    if names == ["index"] or (len(names) > 1 and any(name and name.startswith("level_") for name in names)):
        return f"cannot hold the index names {names}: 'index' and 'level_N' are what pandas calls an unnamed index"
    # The names the index is written under (pandas' rule): an unnamed index is "index", unnamed levels "level_N".
    if None not in names:
        written = names
    elif len(names) == 1:
        written = [names[0] or "index"]
    else:
        written = [f"level_{level}" if name is None else name for level, name in enumerate(names)]
    repeated = sorted({name for name in written if written.count(name) > 1})
    if repeated:
        return f"cannot hold index levels with the same name ({', '.join(map(repr, repeated))})"
    clash = [name for name in written if name in set(frame.columns)]
    if clash:
        return f"writes the index as a column named {clash[0]!r}, and a column has that name too (rename one of them)"
    return None


def dumps(obj: Any) -> str:
    """Table JSON for ``obj`` that loads back equal, or FormatError saying what would not and how to fix it."""
    frame = as_frame(obj)
    try:
        with warnings.catch_warnings():  # pandas' deprecation noise about columns it is about to refuse
            warnings.simplefilter("ignore")
            payload = json.loads(frame.to_json(orient="table", date_unit="ns", force_ascii=False))
    except (ValueError, TypeError, NotImplementedError, OverflowError) as exc:
        reason = str(exc).rstrip(".")
        raise FormatError(f"cannot hold this frame: pandas says {reason}. Change that, or {OTHER_FORMATS}") from None
    _write_floats_exactly(frame, payload)
    fields = payload["schema"]["fields"]
    payload["schema"].setdefault("primaryKey", [field["name"] for field in fields[: frame.index.nlevels]])
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    try:
        loaded = loads(text)
    except Exception as exc:
        raise FormatError(
            f"would not load back: pandas cannot read this frame from table JSON ({type(exc).__name__}: {exc}). "
            f"Convert the columns it names, or {OTHER_FORMATS}"
        ) from None
    difference = _difference(frame, loaded)
    if difference:
        raise FormatError(f"would not load back equal: {difference}. Change that, or {OTHER_FORMATS}")
    return text


def loads(text: str) -> Any:
    """The frame in table JSON ``text`` (floats read exactly)."""
    import pandas as pd

    return pd.read_json(io.StringIO(text), orient="table", precise_float=True)


def _float_problem(column: Any) -> str | None:
    """Floats JSON cannot carry: inf/-inf (no JSON number), subnormals (pandas' reader fails on them)."""
    import numpy as np

    if column.dtype.kind != "f":
        return None
    magnitudes = np.abs(column.to_numpy(dtype="float64", na_value=np.nan))
    if np.isinf(magnitudes).any():
        return "inf or -inf: JSON has no number for them and they would load back as NaN (if NaN is meant: " + (
            "frame.replace([np.inf, -np.inf], np.nan))"
        )
    tiny = magnitudes[(magnitudes > 0) & (magnitudes < np.finfo("float64").tiny)]
    if tiny.size:
        return (
            f"subnormal floats such as {float(tiny[0])!r}: pandas cannot read them back from JSON (if 0 is meant: "
            + ("frame.mask(frame.abs() < np.finfo('float64').tiny, 0.0))")
        )
    return None


def _write_floats_exactly(frame: Any, payload: dict[str, Any]) -> None:
    """Replace pandas' float text (at most 15 digits) by Python's shortest exact form, in place."""
    flat = frame.reset_index()
    records = payload["data"]
    for position, field in enumerate(payload["schema"]["fields"]):
        column = flat.iloc[:, position]
        if column.dtype.kind != "f":
            continue
        name = field["name"]
        missing = column.isna().tolist()
        for record, value, absent in zip(records, column.astype(object).tolist(), missing, strict=True):
            record[name] = None if absent else float(value)


def _difference(expected: Any, loaded: Any) -> str | None:
    """The first thing in which ``loaded`` differs from ``expected``, in words; None when they are equal."""
    import pandas as pd

    if list(loaded.columns) != list(expected.columns) or list(loaded.columns.names) != list(expected.columns.names):
        return (
            f"the columns {list(expected.columns)} (named {list(expected.columns.names)}) come back as "
            f"{list(loaded.columns)} (named {list(loaded.columns.names)})"
        )
    if list(loaded.index.names) != list(expected.index.names):
        return f"the index named {list(expected.index.names)} comes back named {list(loaded.index.names)}"
    try:
        pd.testing.assert_index_equal(loaded.index, expected.index, exact=False, check_exact=True)
    except AssertionError:
        return f"the index ({expected.index.dtype}){_first_change(expected.index, loaded.index)}"
    for name in expected.columns:
        try:
            pd.testing.assert_series_equal(
                loaded[name], expected[name], check_dtype=False, check_index=False, check_exact=True, check_freq=False
            )
        except AssertionError:
            return f"column {name!r} ({expected[name].dtype}){_first_change(expected[name], loaded[name])}"
    return None


def _first_change(expected: Any, loaded: Any) -> str:
    """Where two equally long columns first differ, e.g. ", row 3: Decimal('1.1') comes back as '1.1' (str)"."""
    for row, (before, after) in enumerate(zip(expected, loaded, strict=False)):
        if not _same(before, after):
            return (
                f", row {row}: {before!r} ({type(before).__name__}) comes back as {after!r} "
                f"({type(after).__name__}, dtype {loaded.dtype})"
            )
    return f" comes back as dtype {loaded.dtype}, {len(loaded)} rows instead of {len(expected)}"


def _same(before: Any, after: Any) -> bool:
    import pandas as pd

    try:
        if pd.isna(before) is True or pd.isna(after) is True:
            return pd.isna(before) is True and pd.isna(after) is True
        return bool(before == after)
    except (TypeError, ValueError):
        return False
