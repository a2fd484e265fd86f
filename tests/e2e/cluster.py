"""Several containers of the generated project's image on a private podman network, as in production.

The network is ``podman network create --internal``: the containers reach each other by name and nothing
else. A host directory mounted into every container stands in for shared storage (the workspace), another
collects the events the test's tasks log. Everything is removed on ``close()``.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tests.e2e.generated_project import Podman, explain

SLOW_DAG = """
\"\"\"A DAG whose leaves take long enough to kill a worker in the middle of one.\"\"\"

import os
import time

import luigi
import kartcore

EVENTS = {events!r}


def log(line):
    with open(EVENTS, "a") as events:
        events.write(line + "\\n")


class Leaf(kartcore.TaskOnKart):
    task_namespace = "slowdag"
    index = luigi.IntParameter()

    def run(self):
        log(f"start {{self.index}} {{os.environ['WORKER_NAME']}}")
        time.sleep({sleep})
        self.dump(self.index)


class Total(kartcore.TaskOnKart):
    task_namespace = "slowdag"
    width = luigi.IntParameter()

    def requires(self):
        return [Leaf(index=i) for i in range(self.width)]

    def run(self):
        log(f"start total {{os.environ['WORKER_NAME']}}")
        self.dump(sum(self.load()))


@kartcore.TaskOnKart.event_handler(luigi.Event.SUCCESS)
def published(task):
    name = "total" if isinstance(task, Total) else str(task.index)
    log(f"published {{name}} {{os.environ['WORKER_NAME']}}")
"""


def slow_dag(events: str, sleep: float) -> str:
    """The module ``slowdag`` (tasks ``slowdag.Total --width=N`` over N leaves): every task logs
    ``start NAME WORKER`` and ``published NAME WORKER`` lines to ``events``, WORKER from $WORKER_NAME."""
    return SLOW_DAG.format(events=events, sleep=sleep)


def assert_recovered(events: list[list[str]], width: int, victim: str, survivor: str) -> None:
    """Every task was published exactly once, all by the survivor, which reran what the victim had begun."""
    published = Counter(event[1] for event in events if event[0] == "published")
    assert sorted(published) == sorted([*map(str, range(width)), "total"]), events
    assert set(published.values()) == {1}, f"an output was published twice: {events}"
    interrupted = {event[1] for event in events if event[0] == "start" and event[2] == victim}
    interrupted -= {event[1] for event in events if event[0] == "published" and event[2] == victim}
    rerun = {event[1] for event in events if event[0] == "start" and event[2] == survivor}
    assert interrupted and interrupted <= rerun, events


def run_at_once(commands: list[list[str]], cwd: Path, timeout: float = 120) -> tuple[list[int], list[str]]:
    """Start every command at once (as processes on several machines would), wait for all; exit codes and output."""
    processes = [
        subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for command in commands
    ]
    outputs = [process.communicate(timeout=timeout)[0] for process in processes]
    return [process.returncode for process in processes], outputs


def whole_outputs(directory: Path) -> list[str]:
    """The output files in ``directory``: a killed task may leave .kart-tmp- files, never taken for outputs."""
    return sorted(path.name for path in directory.iterdir() if ".kart-tmp-" not in path.name)


@contextmanager
def image_with_dask(podman: Podman, image: str, directory: Path) -> Iterator[str]:
    """``image`` plus dask[distributed] at this environment's versions, as a project that depends on
    ``gokart-core[dask]`` builds it; removed afterwards. pip installs into the environment of the image's
    ``python`` (the system's, or the venv a uv project's image puts first on PATH)."""
    pins = [f"{name}=={metadata.version(name)}" for name in ("dask", "distributed")]
    install = f'pip --python "$(command -v python)" install --no-cache-dir {" ".join(pins)}'
    (directory / "Containerfile").write_text(f"FROM {image}\nUSER root\nRUN {install}\nUSER 10001\n", encoding="utf-8")
    tag = f"{image.rsplit(':', 1)[0]}-dask:test"
    try:
        built = podman("build", *podman.flags["PODMAN_BUILD"], "--layers=false", "--tag", tag, directory)
        assert built.returncode == 0, explain(built)
        yield tag
    finally:
        podman("rmi", "--force", tag)


@dataclass
class Cluster:
    """Containers of ``image`` on one internal network, sharing ``workspace`` and ``events``."""

    podman: Podman
    image: str
    directory: Path
    name: str = field(default_factory=lambda: f"kart-e2e-{uuid.uuid4().hex[:10]}")
    containers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workspace = self.directory / "resources"
        self.events = self.directory / "events"
        for shared in (self.workspace, self.events):
            shared.mkdir(parents=True)
            shared.chmod(0o777)  # the image runs as a non-root user
        (self.directory / "slowdag.py").write_text(slow_dag("/events/events.log", sleep=3), encoding="utf-8")
        created = self.podman("network", "create", "--internal", self.name)
        assert created.returncode == 0, explain(created)

    def start(self, role: str, *command: str) -> str:
        """Start a detached container named ``<cluster>-<role>`` running ``command``; return its name."""
        name = f"{self.name}-{role}"
        flags = [flag for flag in self.podman.flags["PODMAN_RUN"] if not flag.startswith("--network")]
        flags = [flag for flag in flags if flag != "--rm"]  # kept until close(), so the exit code can be read
        mounts = [
            *("-v", f"{self.workspace}:/app/resources"),
            *("-v", f"{self.events}:/events"),
            *("-v", f"{self.directory / 'slowdag.py'}:/app/slowdag.py:ro"),
        ]
        started = self.podman(
            "run",
            "--detach",
            *flags,  # with the --ulimit flags runc needs here
            *("--network", self.name, "--name", name),  # other containers reach it by this name
            *mounts,
            *("-e", f"WORKER_NAME={role}"),
            self.image,
            *command,
        )
        assert started.returncode == 0, explain(started)
        self.containers.append(name)
        return name

    def address(self, name: str) -> str:
        """The container's IP on the network: used instead of its name, which podman's DNS sometimes fails to
        resolve for a container that has just started or while another one is being killed."""
        template = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"
        inspected = self.podman("inspect", "--format", template, name)
        assert inspected.returncode == 0 and inspected.stdout.strip(), explain(inspected)
        return inspected.stdout.strip()

    def wait_for_port(self, name: str, port: int, timeout: float = 60) -> None:
        """Return once something listens on ``port`` inside container ``name`` (probed from inside it)."""
        probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1)"
        deadline = time.monotonic() + timeout
        while self.podman("exec", name, "python", "-c", probe).returncode != 0:
            assert time.monotonic() < deadline, f"{name} does not listen on {port}\n{self.all_logs()}"
            time.sleep(0.5)

    def wait(self, name: str, timeout: float = 300) -> int:
        """The exit code of a container once it stopped."""
        waited = self.podman("wait", name, timeout=timeout)
        assert waited.returncode == 0, explain(waited)
        return int(waited.stdout.strip().splitlines()[-1])

    def logs(self, name: str) -> str:
        result = self.podman("logs", name)
        return result.stdout + result.stderr

    def all_logs(self) -> str:
        """Every container's state and output, for an assertion message."""
        states = self.podman("ps", "--all", "--filter", f"name={self.name}", "--format", "{{.Names}} {{.Status}}")
        return states.stdout + "".join(f"--- {name} ---\n{self.logs(name)[-3000:]}\n" for name in self.containers)

    def event_lines(self) -> list[list[str]]:
        path = self.events / "events.log"
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []

    def wait_for_event(self, predicate: object, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(predicate(event) for event in self.event_lines()):  # type: ignore[operator]
            assert time.monotonic() < deadline, (
                f"no such event after {timeout} s: {self.event_lines()}\n{self.all_logs()}"
            )
            time.sleep(0.1)

    def close(self) -> None:
        for name in reversed(self.containers):
            self.podman("rm", "--force", "--time", "0", name)
        self.podman("network", "rm", "--force", self.name)


def luigid_cluster_survives_a_killed_worker(podman: Podman, image: str, directory: Path) -> None:
    """luigid (with the shipped conf/luigid.cfg) and two worker containers of ``image`` on an --internal network
    share one workspace; one worker is killed mid-task and the other finishes the DAG, publishing every output once."""
    cluster = Cluster(podman, image, directory)
    try:
        luigid = cluster.start(
            "luigid",
            *("env", "LUIGI_CONFIG_PATH=conf/luigid.cfg"),
            *("luigid", "--address", "0.0.0.0", "--port", "8082", "--state-path", "/tmp/luigid.pickle"),
        )
        command = ["python", "main.py", "--module", "slowdag", "slowdag.Total", "--width=6", "--workers", "2"]
        command += ["--scheduler-host", cluster.address(luigid), "--scheduler-port", "8082"]
        cluster.wait_for_port(luigid, 8082)
        victim = cluster.start("victim", *command)
        survivor = cluster.start("survivor", *command)
        cluster.wait_for_event(lambda event: event[0] == "start" and event[2] == "victim")
        killed = podman("kill", "--signal", "KILL", victim)
        assert killed.returncode == 0, explain(killed)
        assert cluster.wait(survivor) == 0, cluster.logs(survivor)
        assert cluster.wait(victim) == 137, cluster.logs(victim)  # 128 + SIGKILL
        events = cluster.event_lines()
    finally:
        cluster.close()
    assert_recovered(events, width=6, victim="victim", survivor="survivor")
    assert len(whole_outputs(cluster.workspace / "slowdag")) == 7


def dask_cluster_survives_a_killed_worker(podman: Podman, dask_image: str, directory: Path) -> None:
    """A Dask scheduler, two worker containers (the project importable in them) and a driver container of
    ``dask_image`` on an --internal network; one worker is killed mid-task, Dask reruns its task on the other,
    each output once."""
    cluster = Cluster(podman, dask_image, directory)
    try:
        scheduler = cluster.start("scheduler", "dask", "scheduler", "--host", "0.0.0.0", "--port", "8786")
        cluster.wait_for_port(scheduler, 8786)
        address = f"tcp://{cluster.address(scheduler)}:8786"
        worker = ["env", "PYTHONPATH=/app", "dask", "worker", address, "--nthreads", "1", "--preload", "slowdag"]
        victim = cluster.start("victim", *worker)
        cluster.start("survivor", *worker)
        driver = cluster.start(
            "driver",
            "python",
            "main.py",
            "--module",
            "slowdag",
            "slowdag.Total",
            "--width=6",
            f"--dask-scheduler={address}",
        )
        cluster.wait_for_event(lambda event: event[0] == "start" and event[2] == "victim")
        killed = podman("kill", "--signal", "KILL", victim)
        assert killed.returncode == 0, explain(killed)
        assert cluster.wait(driver) == 0, cluster.all_logs()
        events = cluster.event_lines()
    finally:
        cluster.close()
    assert_recovered(events, width=6, victim="victim", survivor="survivor")
    assert len(whole_outputs(cluster.workspace / "slowdag")) == 7
