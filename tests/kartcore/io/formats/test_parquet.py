"""Parquet and Feather never run code from a file: pyarrow 14.0.0 unpickled "arrow.py_extension_type" columns.

CVE-2023-47248: before pyarrow 14.0.1, reading a Parquet or Arrow IPC (Feather) file whose schema
declared that extension type unpickled its metadata, so ``.parquet``/``.feather`` outputs were as
dangerous as ``.pkl`` ones, and outside ``refuse_foreign_pickles``. The extras require a fixed
pyarrow, and a file carrying such a column loads without running anything.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.feather
import pyarrow.parquet as pq
import pytest
from packaging.requirements import Requirement

from kartcore.io import make_target
from tests import canary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"


def _pyarrow_requirements() -> list[Requirement]:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    found = [
        Requirement(text)
        for group in data["project"]["optional-dependencies"].values()
        for text in group
        if Requirement(text).name == "pyarrow"
    ]
    assert found, "no pyarrow requirement in the extras"
    return found


def test_every_extra_that_brings_pyarrow_excludes_the_version_that_unpickles() -> None:
    for requirement in _pyarrow_requirements():
        assert "14.0.0" not in requirement.specifier, f"{requirement} allows pyarrow 14.0.0 (CVE-2023-47248)"
        assert "14.0.1" in requirement.specifier or "15.0" in requirement.specifier


def _hostile_table() -> pa.Table:
    field = pa.field(
        "payload",
        pa.binary(),
        metadata={
            b"ARROW:extension:name": b"arrow.py_extension_type",
            b"ARROW:extension:metadata": canary.canary_bytes(),
        },
    )
    return pa.table({"payload": pa.array([b"x"], pa.binary())}, schema=pa.schema([field]))


@pytest.mark.parametrize("extension", [".parquet", ".feather"])
def test_a_file_declaring_a_python_extension_type_runs_nothing(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"hostile{extension}"
    if extension == ".parquet":
        pq.write_table(_hostile_table(), path)
    else:
        pyarrow.feather.write_feather(_hostile_table(), str(path))
    canary.reset()
    target = make_target(str(path))
    with contextlib.suppress(Exception):  # refusing the column is fine too: only running the pickle is not
        target.load()
    with contextlib.suppress(Exception):
        target.preview(rows=2, budget=1 << 20)
    assert canary.TRIPPED == []
