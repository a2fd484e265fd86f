"""Target: atomic dump, staged writes, and errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kartcore.errors import FormatError, OutputNotFoundError, StorageError, UnsupportedFormatError
from kartcore.io import Target, make_target
from kartcore.io.atomic import is_temp_path
from tests.conftest import no_temp_files


def test_dump_creates_directories_and_round_trips(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "a" / "b" / "c.pkl"))
    assert not target.exists()
    target.dump({"x": [1, 2]})
    assert target.exists()
    assert target.load() == {"x": [1, 2]}
    assert target.last_modification_time().year >= 2000


def test_failed_dump_keeps_previous_version_and_leaves_no_temp(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "keep.pkl"))
    target.dump("previous")
    with pytest.raises(FormatError) as info:
        target.dump(i for i in range(3))  # no pickler holds a generator
    assert "keep.pkl" in str(info.value) and ".pkl" in str(info.value)
    assert target.load() == "previous"
    assert no_temp_files(tmp_path)


def test_stage_then_commit_or_discard(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "staged.txt"))
    staged = target.stage("hello")
    assert is_temp_path(staged) and os.path.exists(staged) and not target.exists()
    target.commit(staged)
    assert target.load() == ["hello"] and not os.path.exists(staged)
    other = target.stage("discarded")
    Target.discard(other)
    assert not os.path.exists(other) and target.load() == ["hello"]


def test_missing_file_names_the_path_and_owner(tmp_path: Path) -> None:
    target = Target(str(tmp_path / "missing.pkl"), owner="Producer[abc]")
    with pytest.raises(OutputNotFoundError) as info:
        target.load()
    assert "Producer[abc]" in str(info.value) and "missing.pkl" in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_corrupt_file_says_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pkl"
    make_target(str(path)).dump(list(range(1000)))
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(FormatError) as info:
        make_target(str(path)).load()
    assert "corrupt.pkl" in str(info.value) and "rerun=True" in str(info.value)


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.xyz.*supported: .*\.pkl"):
        make_target(str(tmp_path / "a.xyz"))


def test_remove_is_quiet_when_missing(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "r.pkl"))
    target.remove()
    target.dump(1)
    target.remove()
    assert not target.exists()


def test_a_write_refused_for_another_reason_than_space_gives_the_fix_that_fits(tmp_path: Path) -> None:
    (tmp_path / "log").write_text("a file where a directory should be")
    target = make_target(str(tmp_path / "log" / "record.pkl"))
    with pytest.raises(StorageError) as info:
        target.dump("x")
    message = str(info.value)
    assert "record.pkl" in message and "ENOTDIR" in message and "remove or rename the file" in message
    assert "free space" not in message
    assert (tmp_path / "log").read_text() == "a file where a directory should be"
