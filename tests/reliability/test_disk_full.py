"""Disk full while dumping: a clear error naming the file, the previous output intact, nothing left behind.

The workspace is a 2 MB tmpfs (needs root and mount). Where mounting is impossible the same checks
run against an fsspec memory filesystem whose writes raise ENOSPC.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import BuildError, StorageError
from tests.reliability.test_kill import temp_files

FITS = 100 * 1024
TOO_BIG = 3 * 1024 * 1024


class Payload(kartcore.TaskOnKart[bytes]):
    """Dumps ``size`` bytes; ``size`` is insignificant so a rerun writes the same file."""

    size = luigi.IntParameter(significant=False)

    def run(self) -> None:
        self.dump(b"x" * self.size)


class Other(kartcore.TaskOnKart[bytes]):
    size = luigi.IntParameter()

    def run(self) -> None:
        self.dump(os.urandom(self.size))


def _mount_small_tmpfs(directory: Path) -> str | None:
    """Mount a 2 MB tmpfs on ``directory``; the reason it could not, or None."""
    if os.geteuid() != 0:
        return "not root"
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(directory)], capture_output=True, text=True
    )
    return None if result.returncode == 0 else f"mount failed: {result.stderr.strip()}"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "small-disk"
    directory.mkdir()
    reason = _mount_small_tmpfs(directory)
    if reason is not None:
        pytest.skip(f"cannot mount a tmpfs ({reason}); test_disk_full_fsspec covers ENOSPC without a mount")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def _assert_no_space_error(exc: BuildError, path: str) -> None:
    text = str(exc)
    causes = " ".join(f"{f.exception!r} {f.exception}" for f in exc.failures)
    assert "No space left on device" in text and "ENOSPC" in text, text
    assert all(isinstance(f.exception, StorageError) for f in exc.failures), causes
    assert path in text, text
    assert "No space left on device" in causes or "ENOSPC" in causes, causes


def test_disk_full_on_tmpfs(full_disk: Path) -> None:
    workspace = str(full_disk)
    first = Payload(size=FITS, workspace_directory=workspace)
    assert kartcore.build(first) == b"x" * FITS

    bigger = Payload(size=TOO_BIG, workspace_directory=workspace, rerun=True)
    with pytest.raises(BuildError) as caught:
        kartcore.build(bigger)
    _assert_no_space_error(caught.value, first.output().path())
    assert first.output().load() == b"x" * FITS  # the previous version is intact
    assert not temp_files(full_disk)

    other = Other(size=TOO_BIG, workspace_directory=workspace)
    with pytest.raises(BuildError) as caught:
        kartcore.build(other)
    _assert_no_space_error(caught.value, other.output().path())
    assert not other.complete()
    assert not other.output().exists()
    assert not temp_files(full_disk)
    assert first.output().load() == b"x" * FITS
