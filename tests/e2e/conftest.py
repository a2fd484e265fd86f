"""Real servers for end-to-end tests, started on 127.0.0.1 with free ports and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, stop, wait_for_port

#: The luigid settings the template ships (dead workers found in seconds, failed tasks retried soon):
#: every luigid the tests start runs with them, so the tests check what users get.
LUIGID_CONFIG = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_name}}" / "conf" / "luigid.cfg"


@pytest.fixture
def luigid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real luigi central scheduler with the template's ``conf/luigid.cfg``; yields its port."""
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
        env={**os.environ, "LUIGI_CONFIG_PATH": str(LUIGID_CONFIG)},
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop(process)
