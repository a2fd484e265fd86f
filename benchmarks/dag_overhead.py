"""What a DAG of trivial tasks costs to schedule and run: kartcore next to gokart and plain luigi.

Every task dumps one int, so the figure is the runtime's own overhead per task (scheduling, events,
run records, the output file). Two shapes: a chain (task i requires task i-1) and a fan-in (one task
requires N leaves). Each library builds each DAG cold in a fresh child process and a fresh
directory, with the local scheduler and one worker: kartcore through ``kartcore.build``, gokart
through ``gokart.build``, plain luigi through ``luigi.build`` on ``luigi.Task`` with a
``LocalTarget``. kartcore then also times a rebuild when everything is complete, and the rerun after
one leaf's parameter changed (it counts the tasks that ran: only that leaf's path should).

kartcore runs with Python's default recursion limit (its walks are iterative); gokart and luigi get a
higher one so that their chains can run at all.

Every library builds every DAG ``--repeat`` times (3 by default), the libraries taking turns in an
order that rotates each round, and the median build stands: on a VM the cost of creating files swings
by 10x within a minute, and taking turns spreads that over all libraries alike.

Targets: kartcore <= 1/7 of gokart's time at the largest size, time(large)/time(small) <= 4.5, and the
extra fan-in (10,000 tasks by default) completes. They are reported, never enforced: timings never
make the script fail; only a build that fails does (exit status 1).

Run ``python benchmarks/dag_overhead.py [--sizes 400,1600] [--extra-fanin 10000] [--repeat 3]
[--directory DIR] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LIBRARIES = ("kartcore", "luigi", "gokart")
SHAPES = ("chain", "fanin")
TARGET_RATIO = 1 / 7
TARGET_GROWTH = 4.5


def _define(library: str) -> dict[str, Any]:
    """The three task classes, on the library being measured."""
    import luigi

    if library == "luigi":

        class Base(luigi.Task):
            def output(self) -> Any:
                return luigi.LocalTarget(f"resources/{self.task_id}.txt")

            def dump(self, value: int) -> None:
                with self.output().open("w") as handle:
                    handle.write(str(value))

            def load_all(self) -> list[int]:
                out = []
                for target in luigi.task.flatten(self.input()):
                    with target.open("r") as handle:
                        out.append(int(handle.read()))
                return out

    else:
        kart: Any = __import__(library)

        class Base(kart.TaskOnKart):  # type: ignore[no-redef]
            def load_all(self) -> list[int]:
                return list(self.load_generator())

    class Leaf(Base):
        i = luigi.IntParameter()
        salt = luigi.IntParameter(default=0)

        def run(self) -> None:
            self.dump(self.i + self.salt)

    class Link(Base):
        i = luigi.IntParameter()
        salt = luigi.IntParameter(default=0)

        def requires(self) -> Any:
            return Link(i=self.i - 1, salt=self.salt) if self.i > 0 else Leaf(i=0, salt=self.salt)

        def run(self) -> None:
            self.dump(sum(self.load_all()) + 1)

    class FanIn(Base):
        n = luigi.IntParameter()
        salted = luigi.IntParameter(default=-1)

        def requires(self) -> Any:
            return [Leaf(i=k, salt=1 if k == self.salted else 0) for k in range(self.n)]

        def run(self) -> None:
            self.dump(sum(self.load_all()))

    return {"Leaf": Leaf, "Link": Link, "FanIn": FanIn}


def _root(classes: dict[str, Any], shape: str, n: int, changed: bool = False) -> Any:
    """n tasks; ``changed`` gives the first leaf another parameter value (a chain is all that leaf's path)."""
    if shape == "chain":
        return classes["Link"](i=n - 2, salt=1 if changed else 0)  # n - 1 links on one leaf
    return classes["FanIn"](n=n - 1, salted=0 if changed else -1)  # n - 1 leaves and the root


def _build(library: str, task: Any) -> bool:
    import luigi

    if library == "kartcore":
        import kartcore

        kartcore.build(task, return_value=False)
        return True
    if library == "gokart":
        import gokart

        gokart.build(task, return_value=False)
        return True
    return bool(luigi.build([task], local_scheduler=True, log_level="ERROR"))


def child(library: str, shape: str, n: int, extras: bool, parent_directory: str | None = None) -> dict[str, Any]:
    """Runs in a fresh process and a fresh directory: build cold, then for kartcore the rebuild and the
    one-leaf rerun. The directory is left for the parent, which removes all of them after the last build
    (deleting thousands of files between builds would slow the next build down on a disk mounted with
    online ``discard``)."""
    if library != "kartcore":
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * n + 1000))
    os.chdir(tempfile.mkdtemp(prefix=f"dag-{library}-", dir=parent_directory))
    return _timed_builds(library, shape, n, extras)


def _timed_builds(library: str, shape: str, n: int, extras: bool) -> dict[str, Any]:
    import luigi

    classes = _define(library)
    started = time.perf_counter()
    ok = _build(library, _root(classes, shape, n))
    result: dict[str, Any] = {"seconds": time.perf_counter() - started, "ok": ok}
    if library != "kartcore" or not extras or not ok:
        return result
    started = time.perf_counter()
    _build(library, _root(classes, shape, n))
    result["rebuild_seconds"] = time.perf_counter() - started
    ran: list[str] = []
    luigi.Task.event_handler(luigi.Event.SUCCESS)(lambda task: ran.append(task.get_task_family()))
    root = _root(classes, shape, n, changed=True)
    started = time.perf_counter()
    _build(library, root)
    result["rerun_seconds"] = time.perf_counter() - started
    result["rerun_tasks"] = len(ran)
    return result


def _measure(library: str, shape: str, n: int, extras: bool, directory: str | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", library, shape, str(n)] + (["--extras"] if extras else [])
    if directory:
        command += ["--directory", directory]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        return {
            "ok": False,
            "error": completed.stderr.strip().splitlines()[-1:] or ["exit " + str(completed.returncode)],
        }
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _repeated(
    libraries: list[str], shape: str, n: int, repeat: int, directory: str | None, extras_for: set[str]
) -> dict[str, dict[str, Any]]:
    """Each library ``repeat`` times, in an order that rotates every round; the median sample stands."""
    samples: dict[str, list[dict[str, Any]]] = {library: [] for library in libraries}
    for round_number in range(repeat):
        shift = round_number % len(libraries)
        for library in libraries[shift:] + libraries[:shift]:
            samples[library].append(_measure(library, shape, n, library in extras_for, directory))
    return {library: _median_sample(runs) for library, runs in samples.items()}


def _median_sample(runs: list[dict[str, Any]]) -> dict[str, Any]:
    failed = [run for run in runs if not run.get("ok")]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda run: run["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["samples"] = [run["seconds"] for run in runs]
    return chosen


def _available(library: str) -> bool:
    try:
        __import__(library)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="400,1600", help="comma-separated DAG sizes (tasks)")
    parser.add_argument("--extra-fanin", type=int, default=10000, help="kartcore-only fan-in size (0: skip)")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--repeat", type=int, default=3, help="builds per library and DAG; the median is reported")
    parser.add_argument("--directory", help="where the builds write (default: the system temp directory)")
    parser.add_argument("--json", dest="json_path", help="write the figures to this file")
    parser.add_argument("--child", nargs=3, metavar=("LIBRARY", "SHAPE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--extras", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        library, shape, n = args.child
        print(json.dumps(child(library, shape, int(n), args.extras, args.directory)))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    libraries = [lib for lib in args.libraries.split(",") if lib and (lib == "kartcore" or _available(lib))]
    builds = tempfile.mkdtemp(prefix="dag-overhead-", dir=args.directory)
    try:
        rows = _all_rows(libraries, sizes, args.repeat, args.extra_fanin, builds)
    finally:
        shutil.rmtree(builds, ignore_errors=True)
    report = _report(rows, sizes)
    report["repeat"] = args.repeat
    print(_table(report))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2), encoding="utf-8")
    failed = [
        f"{lib} {r['shape']} {r['tasks']}: {r[lib].get('error')}"
        for r in rows
        for lib in LIBRARIES
        if lib in r and not r[lib].get("ok")
    ]
    for line in failed:
        print(f"build failed: {line}", file=sys.stderr)
    return 1 if failed else 0


def _all_rows(
    libraries: list[str], sizes: list[int], repeat: int, extra_fanin: int, builds: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for shape in SHAPES:
        for n in sizes:
            row: dict[str, Any] = {"shape": shape, "tasks": n}
            row.update(_repeated(libraries, shape, n, repeat, builds, extras_for={"kartcore"}))
            rows.append(row)
    if extra_fanin:
        extra = _repeated(["kartcore"], "fanin", extra_fanin, 1, builds, extras_for={"kartcore"})
        rows.append({"shape": "fanin", "tasks": extra_fanin, **extra})
    return rows


def _report(rows: list[dict[str, Any]], sizes: list[int]) -> dict[str, Any]:
    for row in rows:
        kart = row["kartcore"].get("seconds")
        row["kartcore_ms_per_task"] = 1000 * kart / row["tasks"] if kart else None
        for other in ("luigi", "gokart"):
            theirs = row.get(other, {}).get("seconds")
            row[f"kartcore/{other}"] = kart / theirs if kart and theirs else None
    small, large = (min(sizes), max(sizes)) if sizes else (0, 0)
    growth: dict[str, Any] = {}
    for shape in SHAPES:
        by_size = {r["tasks"]: r["kartcore"].get("seconds") for r in rows if r["shape"] == shape}
        if small != large and by_size.get(small) and by_size.get(large):
            growth[shape] = by_size[large] / by_size[small]
    largest = [r for r in rows if r["tasks"] == large and "gokart" in r]
    return {
        "python": platform.python_version(),
        "rows": rows,
        "growth": growth,
        "growth_sizes": [small, large],
        "target": {
            "max_kartcore/gokart": TARGET_RATIO,
            "max_growth": TARGET_GROWTH,
            "ratio_met": all((r["kartcore/gokart"] or 1) <= TARGET_RATIO for r in largest) if largest else None,
            "growth_met": all(g <= TARGET_GROWTH for g in growth.values()) if growth else None,
        },
    }


def _cell(value: Any, pattern: str) -> str:
    return pattern.format(value) if isinstance(value, (int, float)) else "-"


def _table(report: dict[str, Any]) -> str:
    head = (
        "tasks",
        "shape",
        "kartcore s",
        "ms/task",
        "luigi s",
        "gokart s",
        "k/luigi",
        "k/gokart",
        "rebuild ms",
        "rerun tasks",
    )
    lines = [" | ".join(f"{h:>11}" for h in head)]
    for row in report["rows"]:
        kart = row["kartcore"]
        cells = (
            str(row["tasks"]),
            row["shape"],
            _cell(kart.get("seconds"), "{:.2f}"),
            _cell(row["kartcore_ms_per_task"], "{:.2f}"),
            _cell(row.get("luigi", {}).get("seconds"), "{:.2f}"),
            _cell(row.get("gokart", {}).get("seconds"), "{:.2f}"),
            _cell(row["kartcore/luigi"], "{:.3f}"),
            _cell(row["kartcore/gokart"], "{:.3f}"),
            _cell((kart.get("rebuild_seconds") or 0) * 1000, "{:.0f}"),
            _cell(kart.get("rerun_tasks"), "{}"),
        )
        lines.append(" | ".join(f"{c:>11}" for c in cells))
    small, large = report["growth_sizes"]
    for shape, value in report["growth"].items():
        lines.append(f"growth {shape} {large}/{small}: {value:.2f} (target <= {TARGET_GROWTH})")
    target = report["target"]
    lines.append(
        f"kartcore <= 1/7 of gokart at {large}: {target['ratio_met']}; growth target met: {target['growth_met']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
