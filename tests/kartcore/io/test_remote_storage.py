"""The remote side of storage (kartcore/io/remote_storage.py) on fsspec's in-memory store: staging names.

Objects are staged in a local temp file named after the object. An object store takes keys far longer
than a local file name (S3: 1024 bytes in all), so the local temp name must fit whatever the key's
last part is; a key the store refuses as too long must say "name too long" and name the object.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from kartcore.errors import StorageError
from kartcore.io import make_target
from kartcore.io.remote_storage import staging_directory


def _staged_files() -> set[str]:
    directory = staging_directory()
    return set(os.listdir(directory)) if os.path.isdir(directory) else set()


def test_an_object_whose_name_no_local_file_could_have_is_staged_and_written() -> None:
    path = f"memory://kart-remote-{os.getpid()}/" + "k" * 300 + ".pkl"
    before = _staged_files()
    target = make_target(path)
    target.dump({"long": "name"})
    assert target.load() == {"long": "name"}
    assert _staged_files() == before
    target.remove()


def test_a_key_the_store_refuses_as_too_long_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.implementations.memory as memory

    def refuse(self, local: str, remote: str, **kwargs: object) -> None:
        raise OSError(errno.ENAMETOOLONG, "KeyTooLongError: Your key is too long", remote)

    monkeypatch.setattr(memory.MemoryFileSystem, "put_file", refuse)
    path = f"memory://kart-remote-{os.getpid()}/" + "k" * 1100 + ".pkl"
    before = _staged_files()
    target = make_target(path)
    with pytest.raises(StorageError) as info:
        target.dump("x")
    message = str(info.value)
    assert "name too long" in message.lower() and path in message
    assert "credentials" not in message and "free space" not in message
    assert _staged_files() == before
    assert not target.exists()


# ----- the staging directory is the user's alone (issue 12, same family as finding 2) --------------------------


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_uploads_are_staged_in_a_directory_only_the_user_can_write(private_tmp: Path) -> None:
    directory = staging_directory()
    assert directory == str(private_tmp / f"kart-staging-{os.geteuid()}")
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="making a directory someone else's needs root")
def test_a_staging_directory_someone_else_made_first_is_refused(private_tmp: Path) -> None:
    """Whoever owns the staging directory can swap a staged object before it is uploaded."""
    planted = private_tmp / f"kart-staging-{os.geteuid()}"
    planted.mkdir(mode=0o777)
    os.chown(planted, 12345, -1)
    path = f"memory://kart-remote-{os.getpid()}/staged.pkl"
    target = make_target(path)
    with pytest.raises(StorageError, match="someone else owns it or can write to it"):
        target.dump({"x": 1})
    assert not target.exists()
    assert list(planted.iterdir()) == []


def test_a_staging_directory_of_mine_that_others_could_write_is_made_private(private_tmp: Path) -> None:
    mine = private_tmp / f"kart-staging-{os.geteuid()}"
    mine.mkdir()
    os.chmod(mine, 0o777)
    path = f"memory://kart-remote-{os.getpid()}/mine.pkl"
    target = make_target(path)
    target.dump({"x": 1})
    assert target.load() == {"x": 1} and stat.S_IMODE(os.stat(mine).st_mode) == 0o700
    target.remove()
