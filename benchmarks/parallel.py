"""Parallel runs: ``--workers N`` on one machine and two processes sharing luigid, kartcore next to gokart.

Every case runs ``python main.py pkg.Fan --width=LEAVES --mode=MODE ...`` in a fresh process and a fresh
directory, exactly as a user would, so the figures include interpreter start-up. The DAG is one fan-in
task over ``--leaves`` leaves (24 by default); a leaf either sleeps ``--sleep`` seconds (``sleep``: the
case parallelism should win), spins the CPU for a fixed number of loop iterations (``cpu``: bounded by
the machine's cores) or does nothing (``none``: the cost of the runtime itself).

Cases:

* ``sleep`` with 1 and 4 workers (the floor is leaves x sleep / workers, plus start-up);
* ``cpu`` with 1, 2 and 4 workers;
* the cost of a worker process per task: ``none`` leaves with one worker in process, and with one
  worker forced into a process per task (``[worker] force_multiprocessing``); the difference over the
  number of tasks is what forking a task process costs;
* ``luigid``: a real luigid on a free port started with the configuration the template ships
  (``conf/luigid.cfg``), and two processes x ``--workers 2`` on the ``sleep`` DAG.

Each library runs each case ``--repeat`` times (3 by default), the libraries taking turns in an order
that rotates each round; the median stands. Timings are reported, never enforced: the script exits
non-zero only when a run fails. Targets from issue 11: sleep speed-up from 1 to 4 workers >= 2.5x,
kartcore with 4 workers no slower than gokart with 4, luigid 2x2 within 2x the floor.

Run ``python benchmarks/parallel.py [--leaves 24] [--sleep 0.3] [--repeat 3] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LUIGID_CONFIG = ROOT / "{{cookiecutter.project_name}}" / "conf" / "luigid.cfg"
LIBRARIES = ("kartcore", "gokart")

PIPELINE = textwrap.dedent(
    """
    import time

    import luigi
    import {library} as kart


    class Leaf(kart.TaskOnKart):
        task_namespace = "bench"
        i = luigi.IntParameter()
        mode = luigi.Parameter()
        sleep = luigi.FloatParameter()
        iterations = luigi.IntParameter()

        def run(self):
            if self.mode == "sleep":
                time.sleep(self.sleep)
            elif self.mode == "cpu":
                total = 0
                for k in range(self.iterations):
                    total += k
            self.dump(self.i)


    class Fan(kart.TaskOnKart):
        task_namespace = "bench"
        width = luigi.IntParameter()
        mode = luigi.Parameter()
        sleep = luigi.FloatParameter(default=0.3)
        iterations = luigi.IntParameter(default=3_000_000)

        def requires(self):
            return [Leaf(i=i, mode=self.mode, sleep=self.sleep, iterations=self.iterations) for i in range(self.width)]

        def run(self):
            self.dump(sum(self.load()))
    """
)

MAIN = "import {library}\nimport pipeline  # noqa: F401\n\n{library}.run()\n"


def _project(parent: Path, library: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix=f"par-{library}-", dir=parent))
    (directory / "pipeline.py").write_text(PIPELINE.format(library=library))
    (directory / "main.py").write_text(MAIN.format(library=library))
    return directory


def _command(args: argparse.Namespace, mode: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "main.py",
        "bench.Fan",
        f"--width={args.leaves}",
        f"--mode={mode}",
        f"--sleep={args.sleep}",
        f"--iterations={args.iterations}",
        *extra,
    ]


def _timed(commands: list[list[str]], cwd: Path, env: dict[str, str], accepted: tuple[int, ...] = (0,)) -> float:
    """Start every command at once and wait for all; the wall time until the last one ended."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for command in commands
    ]
    outputs = [process.communicate(timeout=900)[0] for process in processes]
    seconds = time.perf_counter() - started
    results = zip(processes, outputs, strict=True)
    failed = [(process.returncode, output) for process, output in results if process.returncode not in accepted]
    if failed:
        raise RuntimeError(f"exit {failed[0][0]}: {failed[0][1][-2000:]}")
    if not list(cwd.glob("resources/**/Fan_*.pkl")):
        raise RuntimeError("the commands ended but the root task's output is missing")
    return seconds


def _run_case(case: dict[str, Any], library: str, args: argparse.Namespace, parent: Path) -> float:
    project = _project(parent, library)
    env = dict(os.environ)
    try:
        if case["kind"] == "local":
            extra = ["--local-scheduler", "--workers", str(case["workers"])]
            if case.get("force_processes"):
                (project / "luigi.cfg").write_text("[worker]\nforce_multiprocessing = true\n")
            return _timed([_command(args, case["mode"], *extra)], project, env)
        # kartcore keeps its workers alive under luigid by itself (they wait for tasks another process runs);
        # gokart's need it set. Set for both, so both wait for the whole DAG.
        (project / "luigi.cfg").write_text("[worker]\nkeep_alive = true\n")
        with _luigid(parent) as port:
            extra = ["--scheduler-host", "127.0.0.1", "--scheduler-port", str(port), "--workers", "2", "--no-lock"]
            # gokart exits 10 ("already running") or 30 ("not run") when the other process ran some of the tasks,
            # also when the DAG is complete; the root task's output is checked instead.
            accepted = (0, 10, 30) if library == "gokart" else (0,)
            return _timed([_command(args, case["mode"], *extra) for _ in range(2)], project, env, accepted)
    finally:
        shutil.rmtree(project, ignore_errors=True)


class _luigid:
    """A real luigid with the template's configuration, on a free port, stopped afterwards."""

    def __init__(self, parent: Path) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="luigid-", dir=parent))

    def __enter__(self) -> int:
        sys.path.insert(0, str(ROOT))
        from tests.servers import free_port, wait_for_port

        self.port = free_port()
        env = dict(os.environ, LUIGI_CONFIG_PATH=str(LUIGID_CONFIG))
        luigid = shutil.which("luigid", path=str(Path(sys.executable).parent)) or "luigid"
        self.process = subprocess.Popen(
            [
                luigid,
                *("--address", "127.0.0.1", "--port", str(self.port)),
                *("--logdir", str(self.state), "--state-path", str(self.state / "state.pickle")),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)
        return self.port

    def __exit__(self, *exc: object) -> None:
        from tests.servers import stop

        stop(self.process)
        shutil.rmtree(self.state, ignore_errors=True)


def _cases(args: argparse.Namespace) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = [
        {"name": "sleep, 1 worker", "kind": "local", "mode": "sleep", "workers": 1},
        {"name": "sleep, 4 workers", "kind": "local", "mode": "sleep", "workers": 4},
        {"name": "cpu, 1 worker", "kind": "local", "mode": "cpu", "workers": 1},
        {"name": "cpu, 2 workers", "kind": "local", "mode": "cpu", "workers": 2},
        {"name": "cpu, 4 workers", "kind": "local", "mode": "cpu", "workers": 4},
        {"name": "none, in process", "kind": "local", "mode": "none", "workers": 1},
        {"name": "none, process per task", "kind": "local", "mode": "none", "workers": 1, "force_processes": True},
    ]
    if not args.no_luigid:
        cases.append({"name": "sleep, luigid 2 processes x 2 workers", "kind": "luigid", "mode": "sleep"})
    return cases


def measure(args: argparse.Namespace) -> dict[str, Any]:
    libraries = [library for library in LIBRARIES if library == "kartcore" or not args.no_gokart]
    parent = Path(args.directory or tempfile.mkdtemp(prefix="parallel-bench-"))
    parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in _cases(args):
        samples: dict[str, list[float]] = {library: [] for library in libraries}
        for round_number in range(args.repeat):
            shift = round_number % len(libraries)
            for library in libraries[shift:] + libraries[:shift]:
                samples[library].append(_run_case(case, library, args, parent))
        row = {"case": case["name"], **{lib: statistics.median(runs) for lib, runs in samples.items()}}
        row["samples"] = samples
        rows.append(row)
        print(f"  {case['name']}: " + ", ".join(f"{lib} {row[lib]:.2f} s" for lib in libraries), flush=True)
    if not args.directory:
        shutil.rmtree(parent, ignore_errors=True)
    return {
        "leaves": args.leaves,
        "sleep": args.sleep,
        "iterations": args.iterations,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "libraries": libraries,
        "rows": rows,
        "derived": _derived(rows, libraries, args),
    }


def _derived(rows: list[dict[str, Any]], libraries: list[str], args: argparse.Namespace) -> dict[str, Any]:
    by_case = {row["case"]: row for row in rows}
    tasks = args.leaves + 1
    derived: dict[str, Any] = {"floor_sleep_4": args.leaves * args.sleep / 4, "floor_sleep_1": args.leaves * args.sleep}
    for library in libraries:
        one, four = by_case["sleep, 1 worker"][library], by_case["sleep, 4 workers"][library]
        cpu_one, cpu_two = by_case["cpu, 1 worker"][library], by_case["cpu, 2 workers"][library]
        in_process = by_case["none, in process"][library]
        forked = by_case["none, process per task"][library]
        derived[library] = {
            "sleep_speedup_1_to_4": one / four,
            "cpu_speedup_1_to_2": cpu_one / cpu_two,
            "process_cost_per_task_ms": 1000 * (forked - in_process) / tasks,
        }
        luigid = by_case.get("sleep, luigid 2 processes x 2 workers")
        if luigid:
            derived[library]["luigid_over_floor"] = luigid[library] / derived["floor_sleep_4"]
    if "gokart" in libraries:
        derived["kartcore_over_gokart_sleep_4"] = (
            by_case["sleep, 4 workers"]["kartcore"] / by_case["sleep, 4 workers"]["gokart"]
        )
    return derived


def report(summary: dict[str, Any]) -> str:
    libraries = summary["libraries"]
    lines = [
        f"{summary['leaves']} leaves under one fan-in, sleep {summary['sleep']} s or {summary['iterations']:,} loop "
        f"iterations; {summary['cpus']} CPUs, Python {summary['python']}, median of {summary['repeat']}",
        "",
        "| case | " + " | ".join(libraries) + " |",
        "| --- | " + " | ".join("---:" for _ in libraries) + " |",
    ]
    for row in summary["rows"]:
        lines.append(f"| {row['case']} | " + " | ".join(f"{row[lib]:.2f} s" for lib in libraries) + " |")
    derived = summary["derived"]
    lines.append("")
    lines.append(f"floor: {derived['floor_sleep_1']:.1f} s with 1 worker, {derived['floor_sleep_4']:.1f} s with 4")
    for library in libraries:
        figures = derived[library]
        text = (
            f"{library}: sleep speed-up 1->4 workers {figures['sleep_speedup_1_to_4']:.2f}x, cpu 1->2 "
            f"{figures['cpu_speedup_1_to_2']:.2f}x, a worker process costs "
            f"{figures['process_cost_per_task_ms']:.0f} ms per task"
        )
        if "luigid_over_floor" in figures:
            text += f", luigid 2x2 = {figures['luigid_over_floor']:.2f}x the floor"
        lines.append(text)
    if "kartcore_over_gokart_sleep_4" in derived:
        lines.append(f"kartcore / gokart with 4 workers: {derived['kartcore_over_gokart_sleep_4']:.2f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=24)
    parser.add_argument("--sleep", type=float, default=0.3)
    parser.add_argument("--iterations", type=int, default=3_000_000, help="loop iterations of a cpu leaf")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--directory", help="where the runs' projects go (default: a temp dir, removed)")
    parser.add_argument("--json", help="also write the figures as JSON here")
    parser.add_argument("--no-gokart", action="store_true")
    parser.add_argument("--no-luigid", action="store_true")
    args = parser.parse_args()
    try:
        summary = measure(args)
    except RuntimeError as exc:
        print(f"parallel: a run failed: {exc}", file=sys.stderr)
        return 1
    print(report(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
