"""Data-frame formats: pandas and polars, the frame_library switch, indexes, refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import Target, make_target
from kartcore.io.formats import format_for_extension, format_for_path
from kartcore.io.formats.feather import GOKART_INDEX_PREFIX, dump_with_gokart_index

pl = pytest.importorskip("polars")

FRAME_EXTENSIONS = [".csv", ".tsv", ".ndjson", ".parquet", ".feather"]
FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})
POLARS = pl.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})


def _target(path: Path, frame_library: str | None = None) -> Target:
    return Target(str(path), format_for_path(str(path), frame_library=frame_library))


@pytest.mark.parametrize("extension", FRAME_EXTENSIONS)
def test_polars_round_trip(tmp_path: Path, extension: str) -> None:
    target = _target(tmp_path / f"p{extension}", "polars")
    target.dump(POLARS)
    loaded = target.load()
    assert isinstance(loaded, pl.DataFrame) and loaded.equals(POLARS)


@pytest.mark.parametrize("extension", FRAME_EXTENSIONS)
def test_lazy_frames_are_collected_and_loaded_lazily(tmp_path: Path, extension: str) -> None:
    target = _target(tmp_path / f"lazy{extension}", "polars-lazy")
    target.dump(POLARS.lazy().filter(pl.col("id") > 1))
    loaded = target.load()
    assert isinstance(loaded, pl.LazyFrame)
    assert loaded.collect().equals(POLARS.filter(pl.col("id") > 1))


@pytest.mark.parametrize("extension", FRAME_EXTENSIONS)
def test_the_same_file_loads_as_pandas_or_polars(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"both{extension}"
    make_target(str(path)).dump(FRAME)  # written by pandas
    assert _target(path, "polars").load().equals(POLARS)
    _target(path, "polars").dump(POLARS)  # written by polars, whatever the target loads
    pd.testing.assert_frame_equal(make_target(str(path)).load(), FRAME, check_dtype=False)


@pytest.mark.parametrize("extension", FRAME_EXTENSIONS)
def test_empty_polars_frame(tmp_path: Path, extension: str) -> None:
    target = _target(tmp_path / f"empty{extension}", "polars")
    target.dump(pl.DataFrame())
    assert target.load().shape == (0, 0)


def test_frame_library_instances_are_shared_and_checked() -> None:
    assert format_for_extension(".csv", "polars") is format_for_extension(".CSV", "polars")
    assert format_for_extension(".csv", "polars") is not format_for_extension(".csv")
    assert format_for_extension(".csv", None) is format_for_extension(".csv", "pandas")
    assert format_for_extension(".pkl", "polars") is format_for_extension(".pkl")  # not a frame format
    with pytest.raises(FormatError, match=r"x\.csv: frame_library must be one of pandas, polars, polars-lazy"):
        format_for_path("x.csv", frame_library="arrow")


def test_lazy_loading_from_a_file_object_reads_eagerly() -> None:
    fmt = format_for_extension(".parquet", "polars-lazy")
    buffer = io.BytesIO()
    fmt.dump(POLARS, buffer)
    buffer.seek(0)
    assert fmt.load(buffer).collect().equals(POLARS)


@pytest.mark.parametrize("extension", [".csv", ".parquet", ".feather"])
def test_pandas_formats_read_file_objects_without_a_path(extension: str) -> None:
    fmt = format_for_extension(extension)
    buffer = io.BytesIO()
    fmt.dump(FRAME, buffer)
    buffer.seek(0)
    pd.testing.assert_frame_equal(fmt.load(buffer), FRAME)


@pytest.mark.parametrize("extension", [".parquet", ".feather"])
def test_non_string_column_names_are_named(tmp_path: Path, extension: str) -> None:
    frame = pd.DataFrame({0: [1], "ok": [2], ("a", "b"): [3]})
    target = make_target(str(tmp_path / f"cols{extension}"))
    with pytest.raises(FormatError) as info:
        target.dump(frame)
    message = str(info.value)
    assert f"cols{extension}" in message and "0 (int)" in message and "('a', 'b') (tuple)" in message
    assert "'ok'" not in message and not target.exists()


@pytest.mark.parametrize("extension", [".parquet", ".feather", ".csv"])
@pytest.mark.parametrize("bad", [[1, 2], "text", {"a": [1]}])
def test_non_frames_are_refused(tmp_path: Path, extension: str, bad: object) -> None:
    with pytest.raises(FormatError, match=f"expects a pandas.*got {type(bad).__name__}"):
        make_target(str(tmp_path / f"x{extension}")).dump(bad)


INDEXES = {
    "named": pd.Index(["x", "y", "z"], name="key"),
    "unnamed": pd.Index([10, 20, 30]),
    "range": pd.RangeIndex(5, 8, name="row"),
    "datetime": pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"], name="day"),
    "multi": pd.MultiIndex.from_tuples([(1, "a"), (1, "b"), (2, "a")], names=["n", "s"]),
}


@pytest.mark.parametrize("kind", sorted(INDEXES))
@pytest.mark.parametrize("extension", [".feather", ".parquet"])
def test_index_is_kept(tmp_path: Path, extension: str, kind: str) -> None:
    frame = FRAME.set_axis(INDEXES[kind])
    target = make_target(str(tmp_path / f"{kind}{extension}"))
    target.dump(frame)
    pd.testing.assert_frame_equal(target.load(), frame, check_freq=False)


@pytest.mark.parametrize("name", ["key", None])
def test_feather_reads_gokarts_index_column(tmp_path: Path, name: str | None) -> None:
    frame = FRAME.set_axis(pd.Index(["x", "y", "z"], name=name))
    path = tmp_path / "gokart_style.feather"
    with open(path, "wb") as file:
        dump_with_gokart_index(frame, file)
    assert f"{GOKART_INDEX_PREFIX}{name}" in pd.read_feather(path).columns
    pd.testing.assert_frame_equal(make_target(str(path)).load(), frame)
    assert f"{GOKART_INDEX_PREFIX}{name}" in _target(path, "polars").load().columns  # polars leaves it, as gokart


def test_gokart_index_column_refuses_an_index_named_none_string() -> None:
    with pytest.raises(FormatError, match="rename the index"):
        dump_with_gokart_index(FRAME.rename_axis("None"), io.BytesIO())


def test_csv_writes_no_index_and_reads_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    make_target(str(path)).dump(FRAME.set_axis(pd.Index(["x", "y", "z"], name="key")))
    assert path.read_text(encoding="utf-8").splitlines()[0] == "id,name,score"
    path.write_bytes(b"")
    assert make_target(str(path)).load().empty
    assert _target(path, "polars").load().is_empty()
    assert _target(path, "polars-lazy").load().collect().is_empty()


def test_ndjson_takes_lists_of_dicts_and_dicts_of_columns(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    rows = [{"id": 1, "name": "ä"}, {"id": 2, "name": "日本"}]
    make_target(str(path)).dump(rows)
    assert path.read_text(encoding="utf-8") == '{"id": 1, "name": "ä"}\n{"id": 2, "name": "日本"}\n'
    pd.testing.assert_frame_equal(make_target(str(path)).load(), pd.DataFrame(rows))
    assert _target(path, "polars").load().to_dicts() == rows
    make_target(str(path)).dump({"id": [1, 2], "name": ["ä", "日本"]})  # gokart's dict of columns
    pd.testing.assert_frame_equal(make_target(str(path)).load(), pd.DataFrame(rows))
    with pytest.raises(FormatError, match="a list of dicts"):
        make_target(str(path)).dump([{"id": 1}, 2])


def test_ndjson_writes_a_series_as_records(tmp_path: Path) -> None:
    path = tmp_path / "series.ndjson"
    make_target(str(path)).dump(pd.Series([1, 2], name="v"))
    assert path.read_text(encoding="utf-8") == '{"v":1}\n{"v":2}\n'
    pd.testing.assert_frame_equal(make_target(str(path)).load(), pd.DataFrame({"v": [1, 2]}))
