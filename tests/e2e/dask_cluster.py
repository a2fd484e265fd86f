"""A real Dask cluster for the end-to-end tests: ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1.

Free ports, no dashboards, one thread per worker (as docs/scaling.md says to run them), each worker under its
nanny (which restarts it when a test kills it). The workers import the test DAG from the repository root
(``PYTHONPATH``), as a project's workers import its tasks from their image, and reach the moto S3 server
with the same credentials the ``s3_bucket`` fixture gives the test process. Everything is stopped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kartcore.io.s3_server import ACCESS_KEY, SECRET_KEY
from tests.servers import free_port, stop, wait_for_port

REPOSITORY = Path(__file__).resolve().parents[2]
WORKERS = 2


@dataclass(frozen=True)
class DaskCluster:
    """Where the scheduler listens and where the processes' logs are."""

    address: str
    logs: Path
    environment: dict[str, str]

    def wait_for_workers(self, count: int = WORKERS, timeout: float = 60.0) -> None:
        """Block until ``count`` workers are registered (a killed one is restarted by its nanny)."""
        from distributed import Client

        with Client(self.address, timeout=timeout, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=timeout)


def cluster_environment(moto_endpoint: str, home: Path) -> dict[str, str]:
    """The environment of the cluster's processes: the repository on the path, S3 pointed at moto only."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
    }
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL_S3"):
        environment.pop(name, None)
    environment.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
    )
    return environment


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str) -> Iterator[DaskCluster]:
    """A scheduler and two single-threaded workers; yields where they are."""
    executable = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert executable, "dask is installed with the dask extra (in dev)"
    home = tmp_path_factory.mktemp("dask-cluster")
    environment = cluster_environment(moto_endpoint, home)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(home / f"{name}.log", "wb") as log:
            process = subprocess.Popen([executable, *args], cwd=home, env=environment, stdout=log, stderr=log)
        processes.append(process)
        return process

    try:
        scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        wait_for_port(port, scheduler)
        for index in range(WORKERS):
            start(
                f"worker{index}",
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--name",
                f"w{index}",
                "--no-dashboard",
            )
        cluster = DaskCluster(address, home, environment)
        cluster.wait_for_workers()
        yield cluster
    finally:
        for process in reversed(processes):
            stop(process)
