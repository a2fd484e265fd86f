"""Real servers for end-to-end tests, started on 127.0.0.1 with free ports and stopped afterwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, stop, wait_for_port


@pytest.fixture
def luigid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real luigi central scheduler; yields its port."""
    executable = shutil.which("luigid", path=str(Path(sys.executable).parent))
    assert executable, "luigid is installed with luigi"
    state = tmp_path_factory.mktemp("luigid")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--address",
            "127.0.0.1",
            "--port",
            str(port),
            "--logdir",
            str(state),
            "--state-path",
            str(state / "state.pickle"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop(process)
