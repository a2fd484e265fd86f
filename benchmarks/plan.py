"""What ``kart plan`` costs on a large DAG, next to the scheduling walk of kartcore and of gokart 1.12.2.

``kart plan`` looks at every task of the DAG a build would schedule (instance, unique id, outputs) and,
for each complete task, reads its JSON run record, compares the code fingerprint and stats every input
it consumed. It should cost about what a build spends only *scheduling* the same DAG. This script builds
a fan-in of N tasks (a root requiring N-1 leaves; benchmarks/inspection.py's project) with kartcore, and
writes the same DAG on gokart in a second project, then times, each in a fresh process and in an order that
rotates every round:

* ``kart plan`` on the complete root (everything cached: every record read, every input stat'ed);
* the kartcore build walk: luigi's worker adding a root with another parameter value over the complete
  leaves, with build()'s worker, scheduler and configuration fast path (nothing runs);
* the gokart build walk: the same with gokart's tasks and luigi's own worker and scheduler, which
  ``gokart.build`` uses.

Each child times only the command (after its imports). The median of ``--repeat`` rounds is reported,
with the ratios of ``kart plan`` to both walks. Timings never make the script fail; a failing command does.
gokart's tasks look at the kartcore project's workspace (same file names), so both walks see the same
complete DAG. ``--no-gokart`` leaves gokart out.

Run ``python benchmarks/plan.py [--tasks 10000] [--repeat 3] [--no-gokart] [--directory DIR] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import inspection as shared  # benchmarks/inspection.py: the project, the kartcore cases and their child runner

PLAN, KARTCORE_WALK, GOKART_WALK = "kart plan", "build walk", "gokart build walk"


def gokart_walk(project: str) -> float:
    """Runs in a fresh process in the gokart project: seconds for luigi's worker to add the pending root."""
    os.chdir(project)
    sys.path.insert(0, project)
    import bigdag  # type: ignore[import-not-found]
    import gokart
    from luigi.scheduler import Scheduler
    from luigi.worker import Worker

    gokart.add_config("./conf/param.ini")
    started = time.perf_counter()
    with Worker(scheduler=Scheduler(), worker_processes=1) as worker:
        worker.add(bigdag.FanIn(tag=1))  # a pending root over complete leaves: every task is visited
    return time.perf_counter() - started


def build_projects(base: Path, tasks: int, with_gokart: bool) -> dict[str, Path]:
    """The kartcore project, built with ``python main.py``, and if asked the gokart project over its workspace.

    kartcore writes gokart's file names, so gokart's tasks find the same complete leaves there: no second
    build (which would take gokart minutes) is needed for the same DAG in the same state.
    """
    projects = {"kartcore": base / "bigdag-kartcore"}
    shared.write_project(projects["kartcore"], tasks)
    command = [sys.executable, "main.py", "bigdag.FanIn", "--local-scheduler"]
    built = subprocess.run(command, cwd=projects["kartcore"], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise RuntimeError(f"the build failed: {built.stderr.strip()[-2000:]}")
    if with_gokart:
        root = projects["gokart"] = base / "bigdag-gokart"
        shared.write_project(root, tasks)
        package = root / "bigdag" / "__init__.py"
        package.write_text(package.read_text(encoding="utf-8").replace("kartcore", "gokart"), encoding="utf-8")
        config = root / "conf" / "param.ini"
        workspace = projects["kartcore"] / "resources"
        config.write_text(config.read_text(encoding="utf-8").replace("./resources/", f"{workspace}/"), encoding="utf-8")
    return projects


def _measure(case: str, projects: dict[str, Path]) -> float:
    if case != GOKART_WALK:
        return shared._measure(case, projects["kartcore"])
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(projects["gokart"])], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{case} failed: {completed.stderr.strip()[-2000:]}")
    return float(completed.stdout.strip().splitlines()[-1])


def measure(tasks: int, repeat: int, directory: str | None, with_gokart: bool) -> dict[str, object]:
    """Build the DAGs once, then time every case ``repeat`` times in rotating order; medians and samples."""
    cases = (PLAN, KARTCORE_WALK, GOKART_WALK) if with_gokart else (PLAN, KARTCORE_WALK)
    base = Path(tempfile.mkdtemp(prefix="kart-plan-", dir=directory))
    try:
        projects = build_projects(base, tasks, with_gokart)
        samples: dict[str, list[float]] = {case: [] for case in cases}
        for round_number in range(repeat):
            shift = round_number % len(cases)
            for case in cases[shift:] + cases[:shift]:
                samples[case].append(_measure(case, projects))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    medians = {case: statistics.median(values) for case, values in samples.items()}
    ratios = {f"kart plan / {case}": medians[PLAN] / medians[case] for case in cases if case != PLAN}
    return {"tasks": tasks, "repeat": repeat, "median_seconds": medians, "ratios": ratios, "samples": samples}


def table(report: dict[str, object]) -> str:
    medians: dict[str, float] = report["median_seconds"]  # type: ignore[assignment]
    lines = [
        f"{report['tasks']} tasks (fan-in, complete), median of {report['repeat']}:",
        "| case | seconds | kart plan / case |",
        "| --- | ---: | ---: |",
    ]
    plan = medians[PLAN]
    lines += [f"| {case} | {seconds:.3f} | {plan / seconds:.2f}x |" for case, seconds in medians.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tasks", type=int, default=10000, help="tasks in the DAG (a root and tasks-1 leaves)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--no-gokart", action="store_true", help="leave gokart out")
    parser.add_argument("--directory", help="where the projects are written (default: the system temp directory)")
    parser.add_argument("--json", dest="json_path", help="write the figures to this file")
    parser.add_argument("--child", metavar="PROJECT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(gokart_walk(args.child))
        return 0
    if args.tasks < 2 or args.repeat < 1:
        parser.error("--tasks must be at least 2 and --repeat at least 1")
    with_gokart = not args.no_gokart and shared_gokart_available()
    try:
        report = measure(args.tasks, args.repeat, args.directory, with_gokart)
    except RuntimeError as exc:
        print(f"plan: {exc}", file=sys.stderr)
        return 1
    print(table(report))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


def shared_gokart_available() -> bool:
    """Whether gokart can be imported here (it is left out, with a note, when it cannot)."""
    found = subprocess.run([sys.executable, "-c", "import gokart"], capture_output=True, check=False).returncode == 0
    if not found:
        print("plan: gokart is not installed; timing kartcore only", file=sys.stderr)
    return found


if __name__ == "__main__":
    sys.exit(main())
