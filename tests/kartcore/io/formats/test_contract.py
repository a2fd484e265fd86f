"""Every registered format passes the same contract: round trip, unicode, empty data, wrong type, atomicity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import FileFormat, make_target, register_format, supported_extensions
from kartcore.io.formats import format_for_extension
from tests.conftest import no_temp_files

FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})

# extension -> (value to dump, expected value after load, an object the format cannot hold or None)
CASES: dict[str, tuple[Any, Any, Any]] = {
    ".pkl": ({"a": [1, 2.5, "ü"], "b": (None, True)}, {"a": [1, 2.5, "ü"], "b": (None, True)}, lambda: None),
    ".txt": (["first", "zweite ü", "三"], ["first", "zweite ü", "三"], None),
    ".gz": (["first", "zweite ü", "三"], ["first", "zweite ü", "三"], None),
    ".json": ({"k": ["ü", 1, None]}, {"k": ["ü", 1, None]}, object()),
    ".csv": (FRAME, FRAME, [1, 2, 3]),
    ".tsv": (FRAME, FRAME, {"a": 1}),
}

EMPTY: dict[str, tuple[Any, Any]] = {
    ".pkl": ([], []),
    ".txt": ("", []),
    ".gz": ([], []),
    ".json": ({}, {}),
    ".csv": (pd.DataFrame(), pd.DataFrame()),
    ".tsv": (pd.DataFrame(), pd.DataFrame()),
}


def _assert_equal(actual: Any, expected: Any) -> None:
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected, check_dtype=False, check_index_type=False)
    else:
        assert actual == expected


def test_every_builtin_extension_has_a_contract_case() -> None:
    assert set(CASES) == set(supported_extensions())


@pytest.mark.parametrize("extension", sorted(CASES))
def test_round_trip_with_unicode(tmp_path: Path, extension: str) -> None:
    value, expected, _ = CASES[extension]
    target = make_target(str(tmp_path / f"data{extension}"))
    target.dump(value)
    _assert_equal(target.load(), expected)


@pytest.mark.parametrize("extension", sorted(EMPTY))
def test_empty_data(tmp_path: Path, extension: str) -> None:
    value, expected = EMPTY[extension]
    target = make_target(str(tmp_path / f"empty{extension}"))
    target.dump(value)
    _assert_equal(target.load(), expected)


@pytest.mark.parametrize("extension", sorted(ext for ext, case in CASES.items() if case[2] is not None))
def test_wrong_type_is_refused_and_leaves_nothing(tmp_path: Path, extension: str) -> None:
    bad = CASES[extension][2]
    target = make_target(str(tmp_path / f"bad{extension}"))
    with pytest.raises(FormatError) as info:
        target.dump(bad)
    assert f"bad{extension}" in str(info.value)
    assert not target.exists()
    assert no_temp_files(tmp_path)


def test_string_to_txt_loads_as_lines_like_gokart(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "s.txt"))
    target.dump("one line\nsecond  ")
    assert target.load() == ["one line", "second"]


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
    finally:
        from kartcore.io import formats

        formats._FORMATS.pop(".upper", None)
        formats._instances.pop(".upper", None)
