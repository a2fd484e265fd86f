"""Write-to-temp-then-rename (kartcore/io/atomic.py): temp names that fit, and "name too long" said plainly.

The temp name adds a marker and the writer's tag to the final name. A final name the file system
accepts must still be writable (the temp name is shortened, never the final one), and a name that
is really too long fails with a message that says so and names the file, before any byte is written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from kartcore.errors import StorageError
from kartcore.io import make_target
from kartcore.io.atomic import TEMP_MARKER, is_temp_path, open_temp_for, publish, temp_path_for
from tests.conftest import no_temp_files


def _name(length: int, extension: str = ".pkl") -> str:
    return "n" * (length - len(extension)) + extension


def test_a_final_name_the_file_system_accepts_is_written(tmp_path: Path) -> None:
    path = tmp_path / _name(237)
    path.write_bytes(b"the file system accepts this name")
    path.unlink()
    target = make_target(str(path))
    target.dump({"ok": True})
    assert target.load() == {"ok": True}
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("length", [200, 237, 255])
def test_temp_names_fit_and_stay_temp_names(tmp_path: Path, length: int) -> None:
    temp = temp_path_for(str(tmp_path / _name(length)))
    assert len(os.fsencode(os.path.basename(temp))) <= 255
    assert is_temp_path(temp)
    writer = temp.partition(TEMP_MARKER)[2].rsplit("-", 1)[0]
    assert writer == temp_path_for(str(tmp_path / "short.pkl")).partition(TEMP_MARKER)[2].rsplit("-", 1)[0]
    # the writer's tag after the marker is never cut (kart clean reads it)


def test_temp_names_of_long_non_ascii_names_are_cut_between_characters(tmp_path: Path) -> None:
    name = "é" * 120 + ".pkl"  # 244 bytes
    temp = temp_path_for(str(tmp_path / name))
    os.fsencode(temp).decode("utf-8")  # no character cut in half
    assert len(os.fsencode(os.path.basename(temp))) <= 255


def test_a_name_that_is_too_long_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / _name(300)
    target = make_target(str(path))
    with pytest.raises(StorageError) as info:
        target.dump("x")
    message = str(info.value)
    assert "name too long" in message.lower() and str(path) in message
    assert "free space" not in message
    assert list(tmp_path.iterdir()) == []


def test_a_directory_name_that_is_too_long_says_so(tmp_path: Path) -> None:
    path = tmp_path / ("d" * 300) / "out.pkl"
    with pytest.raises(StorageError) as info:
        make_target(str(path)).dump("x")
    assert "name too long" in str(info.value).lower() and str(path) in str(info.value)
    assert "free space" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_rename_refused_for_its_name_says_so_and_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = str(tmp_path / "out.pkl")
    with open_temp_for(final) as (temp, file):
        file.write(b"x")

    def refuse(source: str, destination: str) -> None:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), destination)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StorageError) as info:
        publish(temp, final)
    assert "name too long" in str(info.value).lower() and final in str(info.value)
    assert not os.path.exists(temp)
