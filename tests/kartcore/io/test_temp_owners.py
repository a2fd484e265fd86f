"""Whether a temp file's writer may still be running: named in the temp name, asked on this host, else by age."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kartcore.io.atomic import host_id, temp_path_for, temp_writer
from kartcore.io.temp_owners import UNKNOWN_WRITER_GRACE, may_be_in_use, process_alive


def test_a_temp_name_carries_its_writer() -> None:
    temp = temp_path_for("/somewhere/out_0123.pkl")
    assert temp_writer(temp) == (host_id(), os.getpid())
    assert temp_writer("/somewhere/.out.pkl.kart-tmp-123-abc") is None  # named before writers were recorded
    assert temp_writer("/somewhere/out_0123.pkl") is None


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process states are read from /proc")
def test_a_zombie_is_not_running() -> None:
    """A killed build whose parent has not collected it yet still has its pid, but writes nothing."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(400):  # until it has exited; it stays a zombie as nobody waits for it yet
            if _state(child.pid) == "Z":
                break
            time.sleep(0.05)
        assert process_alive(child.pid, time.time()) is False
    finally:
        child.wait()
    assert process_alive(child.pid, time.time()) is False  # gone altogether


def test_this_process_is_running() -> None:
    assert process_alive(os.getpid(), time.time()) is True


def test_a_temp_file_of_an_unknown_writer_is_in_use_until_old(tmp_path: Path) -> None:
    temp = tmp_path / ".out.pkl.kart-tmp-00000000-1-0a1b2c3d-0"  # another host
    temp.write_text("half")
    written = temp.stat().st_mtime
    assert may_be_in_use(str(temp), now=written + UNKNOWN_WRITER_GRACE - 60)
    assert not may_be_in_use(str(temp), now=written + UNKNOWN_WRITER_GRACE + 60)
    assert not may_be_in_use(str(tmp_path / "gone.kart-tmp-x"))  # already removed: nothing to protect
