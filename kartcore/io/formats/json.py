"""``.json``: plain JSON for Python objects, pandas' self-describing table JSON for frames.

gokart writes frames with pandas' default orient and reads every ``.json`` back as a frame, which
turns a dumped dict into a DataFrame. We write plain JSON for plain objects (dicts come back as
dicts) and pandas' ``orient="table"`` for frames, whose embedded schema lets ``load`` return an equal
frame (index included) without being told what was written (:mod:`json_frames`). What would not come
back equal is refused before anything is written: frames JSON cannot hold, and dict keys that are not
strings (JSON turns ``{1: "a"}`` into ``{"1": "a"}``).
"""

from __future__ import annotations

import io
import json
from typing import Any

from kartcore.errors import FormatError
from kartcore.io.formats import json_frames
from kartcore.io.formats.base import TextFileFormat
from kartcore.io.formats.frames import is_pandas_frame_or_series


def _looks_like_table_json(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"schema", "data"}
        and isinstance(value["schema"], dict)
        and "pandas_version" in value["schema"]
    )


class JsonFormat(TextFileFormat):
    """JSON-serialisable objects, or pandas frames/series."""

    expects = "a JSON-serialisable object or a pandas DataFrame/Series"

    def check(self, obj: Any) -> None:
        if _looks_like_table_json(obj):
            raise FormatError(
                "cannot hold a dict shaped like pandas' table JSON (schema with pandas_version, and data): it would "
                "load back as a DataFrame. Dump the frame itself, or wrap the dict ({'table': ...})"
            )
        problem = json_frames.frame_problem(obj) if is_pandas_frame_or_series(obj) else _non_string_key(obj)
        if problem:
            raise FormatError(problem)

    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        if is_pandas_frame_or_series(obj):
            file.write(json_frames.dumps(obj))  # read back and compared before anything is written
        else:
            json.dump(obj, file, ensure_ascii=False)

    def load_text(self, file: io.TextIOBase) -> Any:
        text = file.read()
        value = json.loads(text)
        if not _looks_like_table_json(value):
            return value
        try:
            return json_frames.loads(text)
        except Exception as exc:
            raise FormatError(
                f"holds a frame pandas cannot read back ({type(exc).__name__}: {exc}). It was written by a kartcore "
                "that did not yet refuse such frames; run the task again (rerun=True) and its dump will say what "
                "to change"
            ) from exc


def _non_string_key(obj: Any) -> str | None:
    """A dict key JSON would turn into a string (``{1: "a"}`` loads as ``{"1": "a"}``), described; or None."""
    stack, seen = [obj], set()
    while stack:
        value = stack.pop()
        if not isinstance(value, (dict, list, tuple)) or id(value) in seen:
            continue
        seen.add(id(value))  # a cycle is json.dump's to report
        if isinstance(value, dict):
            key = next((key for key in value if not isinstance(key, str)), None)
            if key is not None or None in value:
                return f"needs string dict keys: the key {key!r} ({type(key).__name__}) {_fate(key)}. " + (
                    "Use string keys, or write .pkl to keep them"
                )
            stack.extend(value.values())
        else:
            stack.extend(value)
    return None


def _fate(key: Any) -> str:
    try:
        return f"would load back as the string {next(iter(json.loads(json.dumps({key: 0}))))!r}"
    except (TypeError, ValueError):
        return "cannot be a JSON key"
