"""Data frames as JSON in a chosen pandas ``orient``, read back as frames: the JSON files gokart writes.

kartcore's own ``.json`` keeps plain objects plain (:mod:`kartcore.io.formats.json`). Code written for
gokart's JSON processor, and gokart workspaces holding its ``.json`` files, expect frames instead:
``to_json`` with pandas' default orient (``{"A":{"0":1}}``), or JSON lines with ``orient="records"``,
and ``read_json`` on load. ``FrameJsonFormat(orient)`` (``processor=`` of ``make_target``) gives that.
A dict is taken as columns (``DataFrame.from_dict``); polars frames use ``write_json``/``write_ndjson``.
"""

from __future__ import annotations

import io
import os
from typing import Any, BinaryIO

from kartcore.errors import FormatError
from kartcore.io.formats.frames import FrameFormat, import_pandas, import_polars

#: pandas' orients; None is pandas' default (columns for a DataFrame, index for a Series).
ORIENTS = (None, "split", "records", "index", "table", "columns", "values")


class FrameJsonFormat(FrameFormat):
    """A pandas or polars frame (or a dict of columns) as JSON in ``orient``; JSON lines for ``"records"``."""

    extension = ".json"
    expects = "a pandas or polars DataFrame, a pandas Series or a dict of columns"
    accepts_series = True

    def __init__(self, orient: str | None = None) -> None:
        if orient not in ORIENTS:
            raise FormatError(f"orient must be one of {', '.join(map(repr, ORIENTS))}, not {orient!r}")
        self.orient = orient

    @property
    def lines(self) -> bool:
        """``orient="records"`` writes one JSON object per line, as gokart does."""
        return self.orient == "records"

    def check(self, obj: Any) -> None:
        if not isinstance(obj, dict):
            super().check(obj)

    def dump(self, obj: Any, file: BinaryIO) -> None:
        if isinstance(obj, dict):
            obj = import_pandas(self.extension).DataFrame.from_dict(obj)
        super().dump(obj, file)

    def dump_pandas(self, obj: Any, file: BinaryIO) -> None:
        obj.to_json(file, orient=self.orient, lines=self.lines)

    def load_pandas(self, file: BinaryIO) -> Any:
        pd = import_pandas(self.extension)
        data = file.read()
        if not data.strip():
            return pd.DataFrame()
        return pd.read_json(io.BytesIO(data), orient=self.orient, lines=self.lines)

    def dump_polars(self, obj: Any, file: BinaryIO) -> None:
        if self.lines:
            obj.write_ndjson(file)
        else:
            obj.write_json(file)

    def load_polars(self, file: BinaryIO) -> Any:
        pl = import_polars(self.extension)
        data = file.read()
        if not data.strip():
            return pl.DataFrame()
        return pl.read_ndjson(io.BytesIO(data)) if self.lines else pl.read_json(io.BytesIO(data))

    def scan_polars(self, path: str) -> Any:
        pl = import_polars(self.extension)
        if not self.lines or os.path.getsize(path) == 0:
            with open(path, "rb") as file:
                return self.load_polars(file).lazy()
        return pl.scan_ndjson(path)
