"""Helpers for testing tasks that work on pandas DataFrames.

* :func:`assert_frame_contents_equal` (gokart's name): equal frames up to the order of rows and columns.
* :func:`run_with_empty_inputs`: run a task with every input an empty frame and get back what it
  dumped, to check that it copes with empty data (gokart's old ``--test-run-pandas`` idea).

pandas is imported inside the functions, so ``import kartcore`` stays light.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from luigi.task import flatten

from kartcore.io.formats.frames import import_pandas
from kartcore.task import TaskOnKart

_SHOWN = 10


def assert_frame_contents_equal(actual: Any, expected: Any, **kwargs: Any) -> None:
    """Assert two DataFrames hold the same rows and columns, whatever their order.

    Rows are matched by index label and columns by name, so both must be unique (duplicates fail:
    with them, "the same contents" is ambiguous). ``kwargs`` go to ``pandas.testing.assert_frame_equal``
    (e.g. ``check_dtype=False``).
    """
    pd = import_pandas("assert_frame_contents_equal")
    for name, frame in (("actual", actual), ("expected", expected)):
        if not isinstance(frame, pd.DataFrame):
            raise AssertionError(f"{name} is a {type(frame).__module__}.{type(frame).__qualname__}, not a DataFrame")
        for axis, labels in (("index", frame.index), ("columns", frame.columns)):
            if labels.has_duplicates:
                duplicated = list(labels[labels.duplicated()].unique()[:_SHOWN])
                raise AssertionError(f"{name} has duplicate {axis} labels {duplicated}; contents cannot be matched")
    for axis in ("index", "columns"):
        mine, theirs = getattr(actual, axis), getattr(expected, axis)
        extra, missing = mine.difference(theirs), theirs.difference(mine)
        if len(extra) or len(missing):
            raise AssertionError(
                f"{axis} labels differ: actual has {list(extra[:_SHOWN])} extra, lacks {list(missing[:_SHOWN])}"
            )
    aligned = actual.reindex(index=expected.index, columns=expected.columns)
    pd.testing.assert_frame_equal(aligned, expected, **kwargs)


def run_with_empty_inputs(
    task: TaskOnKart[Any],
    columns: Sequence[Any] | Mapping[str, Sequence[Any]] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> Any:
    """Run ``task.run()`` in this process with every input an empty DataFrame; return what it dumped.

    Nothing upstream runs and the real workspace is not touched: the task runs as a copy writing to
    a temporary workspace, which is deleted afterwards. Its outputs are loaded back and returned in
    the shape of ``output()`` (one object, or a dict/list), so a test can check them, e.g. that the
    result is an empty frame with the right columns. Dump-time checks (``fail_on_empty_dump``,
    PandasTypeConfig) and the output formats run for real.

    ``columns`` gives the empty frames their columns: one list for every input, or a mapping from
    the ``requires()`` key (or the upstream task's family or class name) to a list. Inputs without
    columns are frames with no columns; ``load_data_frame(required_columns=...)`` still adds the
    required ones. ``inputs`` replaces chosen inputs (same keys) with real objects, e.g. a model.
    A ``run()`` that raises or does not dump every output fails with an AssertionError naming the
    task; the original exception is its cause.
    """
    if task.is_endpoint():
        raise ValueError(f"{task.label()} has no run() of its own; test the tasks it requires instead")
    pd = import_pandas("run_with_empty_inputs")
    with tempfile.TemporaryDirectory(prefix="kart-empty-inputs-") as workspace:
        probe = task.clone(workspace_directory=workspace, local_temporary_directory=os.path.join(workspace, "tmp"))
        fed = {}
        for key, upstream, target in _inputs_of(probe):
            fed[target.path()] = _value_for(key, upstream, columns, inputs, pd)
        real_load = probe._load_target

        def load_empty(target: Any) -> Any:
            path = target.path() if callable(getattr(target, "path", None)) else None
            return fed[path] if path in fed else real_load(target)

        probe._load_target = load_empty  # type: ignore[method-assign]
        try:
            result = probe.run()
        except Exception as exc:
            raise AssertionError(f"{task.label()}.run() fails on empty inputs: {type(exc).__name__}: {exc}") from exc
        finally:
            del probe._load_target
        if inspect.isgenerator(result):
            result.close()
            raise AssertionError(f"{task.label()}.run() yields dynamic dependencies; run_with_empty_inputs cannot")
        return _load_outputs(probe.output(), task.label())


def _inputs_of(task: TaskOnKart[Any]) -> Iterator[tuple[Any, Any, Any]]:
    """``(requires() key or None, upstream task, target)`` for every input target."""

    def walk(required: Any, given: Any, key: Any) -> Iterator[tuple[Any, Any, Any]]:
        if isinstance(required, dict):
            for name, value in required.items():
                yield from walk(value, given[name], name if key is None else key)
        elif isinstance(required, (list, tuple)):
            for value, target in zip(required, given, strict=True):
                yield from walk(value, target, key)
        else:
            for target in flatten(given):
                yield key, required, target

    yield from walk(task.requires(), task.input(), None)


def _value_for(key: Any, upstream: Any, columns: Any, inputs: Mapping[str, Any] | None, pd: Any) -> Any:
    names = [key, upstream.get_task_family(), type(upstream).__name__]
    for name in names:
        if inputs is not None and name in inputs:
            return inputs[name]
    chosen: Any = ()
    if isinstance(columns, Mapping):
        chosen = next((columns[name] for name in names if name in columns), ())
    elif columns is not None:
        chosen = columns
    return pd.DataFrame(columns=list(chosen))


def _load_outputs(outputs: Any, label: str) -> Any:
    if isinstance(outputs, dict):
        return {key: _load_outputs(value, label) for key, value in outputs.items()}
    if isinstance(outputs, (list, tuple)):
        return [_load_outputs(value, label) for value in outputs]
    if not outputs.exists():
        raise AssertionError(f"{label}.run() on empty inputs did not dump {outputs.path()}")
    return outputs.load()
