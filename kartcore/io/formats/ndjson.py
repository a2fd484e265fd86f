"""``.ndjson``: one JSON object per line (JSON Lines).

Writes a pandas DataFrame or Series (``to_json(orient="records", lines=True)``), a polars DataFrame
(``write_ndjson``), a list of dicts (one line each, no frame library needed) or, as gokart, a dict
of columns (turned into a pandas frame first). Loads a data frame, as gokart does: pandas by
default, polars when asked; an empty file loads as an empty frame.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any, BinaryIO

from kartcore.io.formats.frames import FrameFormat, import_pandas, import_polars, is_pandas_frame


class NdjsonFormat(FrameFormat):
    """JSON Lines from a pandas or polars frame, a list of dicts or a dict of columns."""

    extension = ".ndjson"
    expects = "a pandas or polars DataFrame, a list of dicts or a dict of columns"
    accepts_series = True
    preview_header_lines = 0

    def check(self, obj: Any) -> None:
        if isinstance(obj, dict):
            return
        if isinstance(obj, list):
            if not all(isinstance(row, dict) for row in obj):
                raise self.refuse(obj)
            return
        super().check(obj)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        if isinstance(obj, list):
            text = io.TextIOWrapper(file, encoding="utf-8", newline="\n")
            try:
                for row in obj:
                    text.write(json.dumps(row, ensure_ascii=False))
                    text.write("\n")
                text.flush()
            finally:
                text.detach()
            return
        if isinstance(obj, dict):
            obj = import_pandas(self.extension).DataFrame.from_dict(obj)
        super().dump(obj, file)

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        if len(obj) == 0:
            return  # pandas writes "\n" for an empty frame, which it cannot read back
        frame = obj if is_pandas_frame(obj) else obj.to_frame()  # a Series: one key per line, not bare values
        frame.to_json(file, orient="records", lines=True, force_ascii=False)

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        data = file.read()
        if not data.strip():
            return pd.DataFrame()
        return pd.read_json(io.BytesIO(data), orient="records", lines=True)

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        obj.write_ndjson(file)

    def load_polars(self, file: BinaryIO) -> Any:
        pl = import_polars(self.extension)
        data = file.read()
        return pl.read_ndjson(io.BytesIO(data)) if data.strip() else pl.DataFrame()

    def scan_polars(self, path: str) -> Any:
        pl = import_polars(self.extension)
        return pl.scan_ndjson(path) if os.path.getsize(path) else pl.LazyFrame()
