""".json for plain Python objects: what JSON would change on the way back is refused at dump (issue 12, finding 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kartcore.errors import FormatError
from kartcore.io import make_target
from tests.conftest import no_temp_files


def test_plain_objects_with_keys_that_are_not_strings_are_refused(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "plain.json"))
    for value, words in [
        ({1: "a"}, "the key 1 (int) would load back as the string '1'"),
        ({"a": [{None: 1}]}, "the key None (NoneType) would load back as the string 'null'"),
        ({"a": {(1, 2): 3}}, "the key (1, 2) (tuple) cannot be a JSON key"),
    ]:
        with pytest.raises(FormatError) as info:
            target.dump(value)
        assert "plain.json" in str(info.value) and words in str(info.value) and ".pkl" in str(info.value)
        assert not target.exists() and no_temp_files(tmp_path)
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(FormatError, match="Circular reference"):
        target.dump(cyclic)
    assert not target.exists() and no_temp_files(tmp_path)


def test_a_dict_shaped_like_table_json_is_refused(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "shaped.json"))
    with pytest.raises(FormatError) as info:
        target.dump({"schema": {"fields": [], "pandas_version": "1.4.0"}, "data": []})
    assert "shaped.json" in str(info.value) and "would load back as a DataFrame" in str(info.value)
    assert not target.exists() and no_temp_files(tmp_path)
