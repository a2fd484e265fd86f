"""``.json``: plain JSON for Python objects, pandas' self-describing table JSON for frames.

gokart writes frames with pandas' default orient and reads every ``.json`` back as a frame, which
turns a dumped dict into a DataFrame. We write plain JSON for plain objects (dicts come back as
dicts) and pandas' ``orient="table"`` for frames, whose embedded schema lets ``load`` return an equal
frame (dtypes and index included) without being told what was written.
"""

from __future__ import annotations

import io
import json
from typing import Any

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

    def dump_text(self, obj: Any, file: io.TextIOBase) -> None:
        if is_pandas_frame_or_series(obj):
            file.write(obj.to_json(orient="table", force_ascii=False))
        else:
            json.dump(obj, file, ensure_ascii=False)

    def load_text(self, file: io.TextIOBase) -> Any:
        text = file.read()
        value = json.loads(text)
        if _looks_like_table_json(value):
            import pandas as pd

            return pd.read_json(io.StringIO(text), orient="table")
        return value
