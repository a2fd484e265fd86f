"""The 24-leaf sleep DAG on two Dask workers next to luigi's local scheduler (one worker, and ``--workers 2``).

Every case runs ``python main.py bench.Fan ...`` in a fresh process and a fresh workspace, as a user would,
so the figures include interpreter start-up and the driver's connection to the scheduler. The cluster
(``dask scheduler`` plus two ``dask worker --nthreads 1 --preload bench_pipeline`` on 127.0.0.1, as
docs/scaling.md says to run them) is started once, before the timed runs; its start-up time is reported on
its own. Each case runs ``--repeat`` times in rotating order and the median stands. Timings are reported,
never enforced: the script exits non-zero only when a run fails.

Run ``python benchmarks/dask_sleep.py [--leaves 24] [--sleep 0.3] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, stop, wait_for_port  # noqa: E402  (the tests' server helpers)

PIPELINE = textwrap.dedent(
    """
    import time

    import luigi
    import kartcore


    class Leaf(kartcore.TaskOnKart):
        task_namespace = "bench"
        i = luigi.IntParameter()
        sleep = luigi.FloatParameter()

        def run(self):
            time.sleep(self.sleep)
            self.dump(self.i)


    class Fan(kartcore.TaskOnKart):
        task_namespace = "bench"
        width = luigi.IntParameter()
        sleep = luigi.FloatParameter()

        def requires(self):
            return [Leaf(i=i, sleep=self.sleep) for i in range(self.width)]

        def run(self):
            self.dump(sum(self.load()))
    """
)
MAIN = "import kartcore\nimport bench_pipeline  # noqa: F401\n\nkartcore.run()\n"


def start_cluster(directory: Path, environment: dict[str, str]) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A scheduler and two single-threaded workers on 127.0.0.1; their address once both workers are in."""
    from distributed import Client

    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"cwd": directory, "env": environment, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **common)
    ]
    wait_for_port(port, processes[0])
    for index in range(2):
        worker = [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--name", f"w{index}"]
        processes.append(subprocess.Popen([*worker, "--no-dashboard", "--preload", "bench_pipeline"], **common))
    with Client(address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
    return address, processes


def timed_run(directory: Path, environment: dict[str, str], args: list[str]) -> float:
    workspace = tempfile.mkdtemp(prefix="ws-", dir=directory)
    command = [sys.executable, "main.py", *args, f"--TaskOnKart-workspace-directory={workspace}"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=directory, env=environment, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=24)
    parser.add_argument("--sleep", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="kart-dask-bench-"))
    (directory / "bench_pipeline.py").write_text(PIPELINE)
    (directory / "main.py").write_text(MAIN)
    environment = {**os.environ, "PYTHONPATH": str(directory)}
    started = time.perf_counter()
    address, processes = start_cluster(directory, environment)
    cluster_seconds = time.perf_counter() - started
    task = ["bench.Fan", f"--width={args.leaves}", f"--sleep={args.sleep}"]
    cases = {
        "local scheduler, 1 worker": [*task, "--local-scheduler"],
        "local scheduler, --workers 2": [*task, "--local-scheduler", "--workers", "2"],
        "Dask, 2 workers x 1 thread": [*task, "--dask-scheduler", address],
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for round_index in range(args.repeat):
            names = list(cases)
            for name in names[round_index % len(names) :] + names[: round_index % len(names)]:
                timings[name].append(timed_run(directory, environment, cases[name]))
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(directory, ignore_errors=True)
    print(
        f"{args.leaves} leaves x sleep {args.sleep} s under one fan-in; median of {args.repeat}, {os.cpu_count()} cores"
    )
    print(f"floor: {args.leaves * args.sleep:.1f} s with 1 worker, {args.leaves * args.sleep / 2:.1f} s with 2")
    print(f"cluster start-up (scheduler + 2 workers registered): {cluster_seconds:.1f} s, not in the figures below")
    for name, values in timings.items():
        print(f"{name:32s} {statistics.median(values):6.2f} s   (runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
