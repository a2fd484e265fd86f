"""Real servers for end-to-end tests, started on 127.0.0.1 with free ports and stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture
def luigid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real luigi central scheduler; yields its port."""
    executable = shutil.which("luigid", path=str(Path(sys.executable).parent))
    assert executable, "luigid is installed with luigi"
    state = tmp_path_factory.mktemp("luigid")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--address", "127.0.0.1", "--port", str(port), "--logdir", str(state),
         "--state-path", str(state / "state.pickle")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
