"""``.pkl``: Python's pickle, the default output format.

Plain pickle, protocol 5, written straight to the file (no copy of the bytes in memory): it is
several times faster than gokart's dill on large objects and every Python reads it. Only when
plain pickle cannot hold the object (a lambda, a class defined inside a function) do we retry with
cloudpickle, then dill, whichever is installed; reading such a file needs that library too.

Reading uses plain ``pickle.load``, which reads gokart's dill-written files of plain data (dill's
own helpers are imported on demand by the pickle itself). What plain pickle cannot read is retried
with dill's unpickler (gokart's pickles of functions and classes from ``__main__``), then with
``pandas.read_pickle`` (pickles of older pandas versions, as gokart does); if all fail, the first
error is reported. Pickle runs code when loading: only load files you trust.
"""

from __future__ import annotations

import importlib
import pickle
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from kartcore.errors import FormatError
from kartcore.io.formats.base import FileFormat, type_name

PROTOCOL = 5
#: Tried in order when plain pickle fails.
FALLBACKS = ("cloudpickle", "dill")
#: How far and how wide the search for the object that cannot be pickled goes.
_MAX_DEPTH, _MAX_CHILDREN = 8, 1000
_PICKLE_ERRORS = (pickle.PicklingError, AttributeError, TypeError)


class PickleFormat(FileFormat):
    runs_code_on_load = True
    """Any picklable object."""

    expects = "a picklable object"

    def dump(self, obj: Any, file: BinaryIO) -> None:
        start = file.tell() if file.seekable() else None
        try:
            pickle.dump(obj, file, protocol=PROTOCOL)
            return
        except _PICKLE_ERRORS as exc:
            first_error: Exception = exc
        tried, dumps = ["pickle"], pickle.dumps
        if start is None:
            raise pickle.PicklingError(_unpicklable(obj, first_error, tried, dumps, "the file cannot be rewound"))
        for name in FALLBACKS:
            module = _installed(name)
            if module is None:
                continue
            tried.append(name)
            dumps = module.dumps
            _rewind(file, start)
            try:
                module.dump(obj, file, protocol=PROTOCOL)
                return
            except Exception:  # every failure means "try the next pickler"
                continue
        _rewind(file, start)
        hint = "" if len(tried) > 1 else "install cloudpickle or dill to pickle lambdas and local classes"
        raise pickle.PicklingError(_unpicklable(obj, first_error, tried, dumps, hint))

    def load(self, file: BinaryIO) -> Any:
        start = file.tell() if file.seekable() else None
        try:
            return pickle.load(file)
        except Exception as exc:
            first_error = exc
        if start is not None:
            for retry in (_load_with_dill, _load_with_old_pandas):
                _rewind(file, start, truncate=False)
                try:
                    return retry(file)
                except Exception:  # not this one either: report the first error
                    continue
        missing = (getattr(first_error, "name", None) or "").partition(".")[0]
        if isinstance(first_error, ModuleNotFoundError) and missing in (*FALLBACKS, "__builtin__"):
            library = "dill" if missing == "__builtin__" else missing
            raise FormatError(f"this pickle was written with {library}: pip install {library}") from first_error
        raise first_error


def _load_with_dill(file: BinaryIO) -> Any:
    """gokart's pickles of functions and classes defined in ``__main__`` need dill's own unpickler."""
    dill = _installed("dill")
    if dill is None:
        raise ImportError("dill")
    return dill.load(file)


def _load_with_old_pandas(file: BinaryIO) -> Any:
    """pandas reads pickles of older pandas versions (an old pandas pickle has imported pandas by now)."""
    pd = sys.modules.get("pandas")
    if pd is None:
        raise ImportError("pandas")
    return pd.read_pickle(file)


def _installed(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _rewind(file: BinaryIO, position: int, truncate: bool = True) -> None:
    file.seek(position)
    if truncate:
        file.truncate()


def _unpicklable(obj: Any, error: Exception, tried: list[str], dumps: Callable[[Any], bytes], hint: str) -> str:
    culprit = _find_culprit(obj, dumps, "obj", 0) or f"obj ({type_name(obj)})"
    message = f"cannot pickle {culprit}: {error} (tried {', '.join(tried)})"
    return f"{message}; {hint}" if hint else message


def _children(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return [(f"[{key!r}]", value) for key, value in obj.items()]
    if isinstance(obj, (list, tuple)):
        return [(f"[{index}]", value) for index, value in enumerate(obj)]
    if isinstance(obj, (set, frozenset)):
        return [(f"{{item {index}}}", value) for index, value in enumerate(obj)]
    attributes = getattr(obj, "__dict__", None)
    found = list(attributes.items()) if isinstance(attributes, dict) else []
    for name in getattr(type(obj), "__slots__", ()):
        if hasattr(obj, name):
            found.append((name, getattr(obj, name)))
    return [(f".{name}", value) for name, value in found]


def _find_culprit(obj: Any, dumps: Callable[[Any], bytes], path: str, depth: int) -> str | None:
    """The path (``obj['model'].session``) and type of the innermost part that cannot be pickled."""
    if depth >= _MAX_DEPTH:
        return None
    for suffix, child in _children(obj)[:_MAX_CHILDREN]:
        try:
            dumps(child)
        except Exception:  # any failure marks the child
            inner = _find_culprit(child, dumps, path + suffix, depth + 1)
            return inner or f"{path}{suffix} ({type_name(child)})"
    return None
