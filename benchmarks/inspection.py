"""What ``kart tree``, ``kart show`` and ``kart clean`` cost on a large DAG, next to build()'s own walk.

The inspection commands look at the same DAG a build schedules: they instantiate every task, work
out its unique id and output paths and check which outputs exist. So a look at a DAG should cost
about what a build spends scheduling the same DAG (luigi's walk: every task instantiated, its
completeness checked). This script builds a fan-in of N tasks (one
root requiring N-1 leaves) in a generated project once, then times, each in a fresh process and in
an order that rotates every round: ``kart tree``, ``kart show`` and ``kart clean`` (dry run) on the
root, and the scheduling part of ``kartcore.build()`` (luigi's worker adding a root with another
parameter value over the complete leaves, so that it visits every task, with build()'s worker,
scheduler and configuration fast path; nothing runs). Each child times only the command itself (after
its imports), so interpreter start-up is left out. The median of ``--repeat`` rounds is reported,
with the ratio to the build's walk. Timings never make the script fail; a failing command does.

Run ``python benchmarks/inspection.py [--tasks 5000] [--repeat 3] [--directory DIR] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CASES = ("build walk", "kart tree", "kart show", "kart clean")

PACKAGE = textwrap.dedent(
    """
    import luigi

    import kartcore


    class Leaf(kartcore.TaskOnKart):
        task_namespace = "bigdag"
        i = luigi.IntParameter()

        def run(self):
            self.dump(self.i)


    class FanIn(kartcore.TaskOnKart):
        task_namespace = "bigdag"
        n = luigi.IntParameter(default=1)
        tag = luigi.IntParameter(default=0)

        def requires(self):
            return [Leaf(i=k) for k in range(self.n)]

        def run(self):
            self.dump(len(self.load()))
    """
)


def write_project(root: Path, tasks: int) -> None:
    """A generated-project-shaped directory whose ``bigdag.FanIn`` has ``tasks`` tasks by default."""
    (root / "bigdag").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "bigdag"\nversion = "0.1.0"\n', encoding="utf-8")
    (root / "main.py").write_text(
        'import kartcore\n\nimport bigdag  # noqa: F401\n\nif __name__ == "__main__":\n'
        '    kartcore.add_config("./conf/param.ini")\n    kartcore.run()\n',
        encoding="utf-8",
    )
    (root / "bigdag" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    (root / "conf" / "param.ini").write_text(
        f"[TaskOnKart]\nworkspace_directory = ./resources/\n\n[bigdag.FanIn]\nn = {tasks - 1}\n", encoding="utf-8"
    )


def child(case: str, project: str) -> float:
    """Runs in a fresh process in the project: the seconds one case takes, imports excluded."""
    os.chdir(project)
    sys.path.insert(0, project)
    import kartcore
    from kartcore.cli.app import main

    if case == "build walk":
        import bigdag  # type: ignore[import-not-found]

        from kartcore.execution.factory import WorkerSchedulerFactory
        from kartcore.task.resolution import frozen_configuration

        kartcore.add_config("./conf/param.ini")
        factory = WorkerSchedulerFactory()
        started = time.perf_counter()
        with frozen_configuration(), factory.create_worker(factory.create_local_scheduler(), 1) as worker:
            worker.add(bigdag.FanIn(tag=1))  # a pending root over complete leaves: every task is visited
        return time.perf_counter() - started
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        main([case.split()[1], "bigdag.FanIn"], standalone_mode=False)
    return time.perf_counter() - started


def _measure(case: str, project: Path) -> float:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", case, str(project)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{case} failed: {completed.stderr.strip()[-2000:]}")
    return float(completed.stdout.strip().splitlines()[-1])


def measure(tasks: int, repeat: int, directory: str | None) -> dict[str, object]:
    """Build the DAG once, then time every case ``repeat`` times in rotating order; medians and samples."""
    base = tempfile.mkdtemp(prefix="kart-inspection-", dir=directory)
    try:
        project = Path(base) / "bigdag-project"
        write_project(project, tasks)
        built = subprocess.run(
            [sys.executable, "main.py", "bigdag.FanIn", "--local-scheduler"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode != 0:
            raise RuntimeError(f"the build failed: {built.stderr.strip()[-2000:]}")
        samples: dict[str, list[float]] = {case: [] for case in CASES}
        for round_number in range(repeat):
            shift = round_number % len(CASES)
            for case in CASES[shift:] + CASES[:shift]:
                samples[case].append(_measure(case, project))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    medians = {case: statistics.median(values) for case, values in samples.items()}
    return {"tasks": tasks, "repeat": repeat, "median_seconds": medians, "samples": samples}


def table(report: dict[str, object]) -> str:
    medians: dict[str, float] = report["median_seconds"]  # type: ignore[assignment]
    walk = medians["build walk"]
    lines = [
        f"{report['tasks']} tasks (fan-in, complete), median of {report['repeat']}:",
        "| case | seconds | / build walk |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {case} | {seconds:.3f} | {seconds / walk:.2f}x |" for case, seconds in medians.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tasks", type=int, default=5000, help="tasks in the DAG (a root and tasks-1 leaves)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument("--directory", help="where the project is written (default: the system temp directory)")
    parser.add_argument("--json", dest="json_path", help="write the figures to this file")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(child(*args.child))
        return 0
    if args.tasks < 2 or args.repeat < 1:
        parser.error("--tasks must be at least 2 and --repeat at least 1")
    try:
        report = measure(args.tasks, args.repeat, args.directory)
    except RuntimeError as exc:
        print(f"inspection: {exc}", file=sys.stderr)
        return 1
    print(table(report))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
