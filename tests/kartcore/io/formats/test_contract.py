"""Every registered format passes the same contract: round trip, unicode, empty data, wrong type, atomicity."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import FileFormat, make_target, register_format, supported_extensions
from kartcore.io.formats import format_for_extension, unregister_format
from tests.conftest import no_temp_files

FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})
LINES = ["first", "zweite ü", "三"]


def _tree() -> ET.ElementTree:
    root = ET.Element("päckchen", {"größe": "groß"})
    ET.SubElement(root, "inhalt").text = "日本語"
    return ET.ElementTree(root)


IMAGE_BYTES = b"\x89PNG\r\n\x1a\n" + "not really an image, ü".encode() + bytes(range(256))
ARRAYS = {"ids": np.arange(3), "names": np.array(["ä", "日本"])}

# extension -> (value to dump, expected value after load, an object the format cannot hold)
CASES: dict[str, tuple[Any, Any, Any]] = {
    ".pkl": ({"a": [1, 2.5, "ü"], "b": (None, True)}, {"a": [1, 2.5, "ü"], "b": (None, True)}, (i for i in "ab")),
    ".txt": (LINES, LINES, b"bytes are not text"),
    ".ini": (["[section]", "key = wert ü"], ["[section]", "key = wert ü"], bytearray(b"x")),
    ".gz": (LINES, LINES, b"bytes are not text"),
    ".json": ({"k": ["ü", 1, None]}, {"k": ["ü", 1, None]}, object()),
    ".ndjson": (FRAME, FRAME, "not rows"),
    ".csv": (FRAME, FRAME, [1, 2, 3]),
    ".tsv": (FRAME, FRAME, {"a": 1}),
    ".xml": (_tree(), _tree(), "<a/>"),
    ".npz": (ARRAYS, ARRAYS, [1, 2]),
    ".parquet": (FRAME, FRAME, {"a": [1]}),
    ".feather": (FRAME, FRAME, FRAME["id"]),
    ".png": (IMAGE_BYTES, IMAGE_BYTES, "a string"),
    ".jpg": (IMAGE_BYTES, IMAGE_BYTES, np.zeros((2, 2))),
}

EMPTY: dict[str, tuple[Any, Any]] = {
    ".pkl": ([], []),
    ".txt": ("", []),
    ".ini": ([], []),
    ".gz": ([], []),
    ".json": ({}, {}),
    ".ndjson": (pd.DataFrame(), pd.DataFrame()),
    ".csv": (pd.DataFrame(), pd.DataFrame()),
    ".tsv": (pd.DataFrame(), pd.DataFrame()),
    ".xml": (ET.ElementTree(), ET.ElementTree()),
    ".npz": (np.array([]), np.array([])),
    ".parquet": (pd.DataFrame(), pd.DataFrame()),
    ".feather": (pd.DataFrame(), pd.DataFrame()),
    ".png": (b"", b""),
    ".jpg": (b"", b""),
}


def _assert_equal(actual: Any, expected: Any) -> None:
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(
            actual, expected, check_dtype=False, check_index_type=False, check_column_type=False
        )
    elif isinstance(expected, ET.ElementTree):
        assert isinstance(actual, ET.ElementTree)
        roots = [tree.getroot() for tree in (actual, expected)]
        assert [None if root is None else ET.tostring(root) for root in roots] == [
            None if roots[1] is None else ET.tostring(roots[1])
        ] * 2
    elif isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, dict) and any(isinstance(value, np.ndarray) for value in expected.values()):
        assert sorted(actual) == sorted(expected)
        for key, value in expected.items():
            np.testing.assert_array_equal(actual[key], value)
    else:
        assert actual == expected


def test_every_builtin_extension_has_a_contract_case() -> None:
    assert set(CASES) == set(supported_extensions()) == set(EMPTY)


@pytest.mark.parametrize("extension", sorted(CASES))
def test_round_trip_with_unicode(tmp_path: Path, extension: str) -> None:
    value, expected, _ = CASES[extension]
    target = make_target(str(tmp_path / "ordner ü" / f"データ{extension}"))
    target.dump(value)
    _assert_equal(target.load(), expected)
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("extension", sorted(EMPTY))
def test_empty_data(tmp_path: Path, extension: str) -> None:
    value, expected = EMPTY[extension]
    target = make_target(str(tmp_path / f"empty{extension}"))
    target.dump(value)
    _assert_equal(target.load(), expected)


@pytest.mark.parametrize("extension", sorted(CASES))
def test_wrong_type_is_refused_and_leaves_nothing(tmp_path: Path, extension: str) -> None:
    value, expected, bad = CASES[extension]
    target = make_target(str(tmp_path / f"bad{extension}"))
    with pytest.raises(FormatError) as info:
        target.dump(bad)
    assert f"bad{extension}" in str(info.value)
    assert not target.exists()
    assert no_temp_files(tmp_path)

    target.dump(value)  # a refused dump never touches the previous version either
    with pytest.raises(FormatError):
        target.dump(bad)
    _assert_equal(target.load(), expected)
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("extension", sorted(CASES))
def test_truncated_file_names_the_file_and_the_fix(tmp_path: Path, extension: str) -> None:
    value = CASES[extension][0]
    path = tmp_path / f"cut{extension}"
    target = make_target(str(path))
    target.dump(value)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\xff\x00")
    if extension in {".png", ".jpg"}:
        target.load()  # opaque bytes: nothing to check
        return
    with pytest.raises(FormatError) as info:
        target.load()
    assert f"cut{extension}" in str(info.value) and "rerun=True" in str(info.value)


def test_string_to_txt_loads_as_lines_like_gokart(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "s.txt"))
    target.dump("one line\nsecond  ")
    assert target.load() == ["one line", "second"]


def test_tuple_to_txt_is_written_as_its_str_like_gokart(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "t.txt"))
    target.dump(("a", 1))
    assert target.load() == ["('a', 1)"]


def test_json_frame_round_trips_as_a_frame(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "frame.json"))
    target.dump(FRAME)
    pd.testing.assert_frame_equal(target.load(), FRAME)


def test_csv_accepts_a_series(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "series.csv"))
    target.dump(pd.Series([1, 2], name="v"))
    pd.testing.assert_frame_equal(target.load(), pd.DataFrame({"v": [1, 2]}))


def test_register_a_custom_format(tmp_path: Path) -> None:
    class Upper(FileFormat):
        def dump(self, obj: Any, file: Any) -> None:
            file.write(str(obj).upper().encode())

        def load(self, file: Any) -> Any:
            return file.read().decode()

    register_format("upper", Upper)
    try:
        target = make_target(str(tmp_path / "x.upper"))
        target.dump("shout")
        assert target.load() == "SHOUT"
        assert isinstance(format_for_extension(".UPPER"), Upper)
        assert format_for_extension(".upper", frame_library="polars") is format_for_extension(".upper")
    finally:
        unregister_format(".upper")
    assert ".upper" not in supported_extensions()


# ----- previews read a bounded amount (issue 12, finding 17) ------------------------------------------------

BUDGET = 64 * 1024  # pyarrow reads up to 64 KiB from the end of a Parquet file for its footer
BIG_FRAME = pd.DataFrame({"id": np.arange(200_000), "name": ["row ü"] * 200_000})
# extension -> a value whose file is far larger than BUDGET (or unpacks to far more, for compressed formats)
BIG: dict[str, Any] = {
    ".pkl": list(range(300_000)),
    ".txt": [f"line {i} ü" for i in range(100_000)],
    ".ini": [f"key{i} = {i}" for i in range(100_000)],
    ".gz": ["the same line, compressed well"] * 200_000,
    ".json": {"k": list(range(100_000))},
    ".ndjson": BIG_FRAME,
    ".csv": BIG_FRAME,
    ".tsv": BIG_FRAME,
    ".xml": ET.ElementTree(ET.Element("root", {"text": "x" * 200_000})),
    ".npz": {"zeros": np.zeros(2_000_000), "ids": np.arange(10)},
    ".parquet": pd.DataFrame({"zeros": np.zeros(3_000_000)}),
    ".feather": BIG_FRAME,
    ".png": bytes(500_000),
    ".jpg": bytes(500_000),
}


def test_every_builtin_extension_has_a_big_preview_case() -> None:
    assert set(BIG) == set(supported_extensions())


@pytest.mark.parametrize("extension", sorted(CASES))
def test_a_small_file_previews_whole(tmp_path: Path, extension: str) -> None:
    value, expected, _ = CASES[extension]
    target = make_target(str(tmp_path / f"small{extension}"))
    target.dump(value)
    found = target.preview(rows=5, budget=BUDGET)
    assert found is not None and not found.partial
    _assert_equal(found.value, expected)


@pytest.mark.parametrize("extension", sorted(BIG))
def test_a_preview_of_a_big_file_reads_a_bounded_amount(tmp_path: Path, extension: str, bytes_read: list[int]) -> None:
    target = make_target(str(tmp_path / f"big{extension}"))
    target.dump(BIG[extension])
    bytes_read[0] = 0
    found = target.preview(rows=3, budget=BUDGET)
    # the target caps the file at twice the budget, plus the one byte that tells "more" from "the end"
    assert bytes_read[0] <= 2 * BUDGET + 1, f"{extension}: read {bytes_read[0]} bytes of {target.path()}"
    assert found is None or found.partial, f"{extension}: a preview within the budget cannot be the whole value"
    if extension in {".txt", ".ini", ".csv", ".tsv", ".ndjson", ".gz", ".parquet"}:
        assert found is not None and len(found.value) == 3, "line and row formats show their first rows"
    if extension == ".npz":
        assert found is not None and found.value["zeros"] == "array of shape (2000000,), dtype float64"
