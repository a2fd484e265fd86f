"""The pandas work behind the task-level DataFrame helpers (``load_data_frame``, ``PandasTypeConfig``).

The task layer may not touch pandas (an import-linter contract keeps ``import kartcore`` light), so
it hands loaded objects to these functions. pandas and numpy are imported inside them, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kartcore.errors import MissingColumnsError, TaskDefinitionError
from kartcore.io.formats.frames import import_pandas, is_pandas_frame

#: numpy dtype kinds whose values all iterate as the same Python type (int, float, complex, bool),
#: so checking one value checks them all.
_UNIFORM_KINDS = frozenset("iufcb")
_SHOWN = 10


def normalise_columns(required_columns: Any) -> list[Any]:
    """``required_columns`` as a list without repeats: a single name, a sequence (order kept) or a set."""
    if required_columns is None:
        return []
    if isinstance(required_columns, (str, bytes)) or not isinstance(required_columns, Iterable):
        return [required_columns]
    if isinstance(required_columns, (set, frozenset)):
        return sorted(required_columns, key=repr)
    return list(dict.fromkeys(required_columns))


def combine_frames(
    sources: list[tuple[str, Any]], required_columns: Any = None, drop_columns: bool = False, owner: str = ""
) -> Any:
    """One DataFrame from the loaded inputs ``[(path, object), ...]`` (an object may be a list of frames).

    Inputs are concatenated in order, index kept. Every input with rows must hold the required
    columns; an empty result gets the required columns it lacks. ``drop_columns`` keeps only those.
    """
    pd = import_pandas("load_data_frame")
    prefix = f"{owner}: " if owner else ""
    required = normalise_columns(required_columns)
    if drop_columns and not required:
        raise TaskDefinitionError(f"{prefix}load_data_frame(drop_columns=True) needs required_columns to keep")
    frames = [(path, frame) for path, loaded in sources for frame in _frames_in(loaded, path, prefix)]
    _check_columns(frames, required, prefix)
    with_rows = [frame for _, frame in frames if len(frame.index)]
    # Empty inputs add nothing but would turn the other inputs' dtypes into object when concatenated.
    chosen = with_rows or [frame for _, frame in frames]
    if not chosen:
        combined = pd.DataFrame(columns=required)
    elif len(chosen) == 1:
        combined = chosen[0]
    else:
        combined = pd.concat(chosen)
    if not len(combined.index):
        missing = [column for column in required if column not in combined.columns]
        if missing:
            combined = combined.copy()
            for column in missing:
                combined[column] = pd.Series(index=combined.index, dtype=object)
    if drop_columns:
        combined = combined[required]
    return combined


def _frames_in(loaded: Any, path: str, prefix: str) -> list[Any]:
    if is_pandas_frame(loaded):
        return [loaded]
    if isinstance(loaded, (list, tuple)):
        return [frame for item in loaded for frame in _frames_in(item, path, prefix)]
    raise TaskDefinitionError(
        f"{prefix}load_data_frame: input {path} holds a {type(loaded).__module__}.{type(loaded).__qualname__}, "
        "not a pandas DataFrame (use self.load() for other objects)"
    )


def _check_columns(frames: list[tuple[str, Any]], required: list[Any], prefix: str) -> None:
    problems = []
    for path, frame in frames:
        if not len(frame.index):
            continue
        present = set(frame.columns)
        missing = [column for column in required if column not in present]
        if missing:
            shown = list(frame.columns[:_SHOWN]) + (["..."] if len(frame.columns) > _SHOWN else [])
            problems.append(f"input {path} lacks {missing} (its columns: {shown})")
    if problems:
        raise MissingColumnsError(
            f"{prefix}load_data_frame(required_columns={required}): " + "; ".join(problems) + ". Fix the task that "
            "writes the input, or the required_columns"
        )


@dataclass(frozen=True)
class TypeViolation:
    """The first value of a column that is not an instance of the declared type."""

    column: Any
    expected: Any
    position: int
    label: Any
    value: Any
    count: int
    total: int


def find_type_violation(frame: Any, type_dict: Mapping[Any, Any]) -> TypeViolation | None:
    """The first ``frame`` value not ``isinstance`` of its column's type in ``type_dict`` (absent columns skipped)."""
    np = _import_numpy()
    for index, column in enumerate(frame.columns):
        if column not in type_dict or not len(frame.index):
            continue
        expected = type_dict[column]
        series = frame.iloc[:, index]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in _UNIFORM_KINDS:
            value = next(iter(series))
            first, count = (None, 0) if isinstance(value, expected) else (0, len(series))
        else:
            values = list(series)
            bad = [position for position, item in enumerate(values) if not isinstance(item, expected)]
            first, count = (bad[0], len(bad)) if bad else (None, 0)
            value = values[first] if first is not None else None
        if first is not None:
            return TypeViolation(
                column=column,
                expected=expected,
                position=first,
                label=series.index[first],
                value=value,
                count=count,
                total=len(series),
            )
    return None


def type_name(expected: Any) -> str:
    """``int``, ``str or bytes`` ...: how a declared type reads in a message."""
    if isinstance(expected, tuple):
        return " or ".join(type_name(item) for item in expected)
    return getattr(expected, "__qualname__", repr(expected))


def _import_numpy() -> Any:
    import_pandas("PandasTypeConfig")  # numpy comes with pandas; same install hint
    import numpy

    return numpy
