"""Dump and load a large pandas frame through kartcore, raw pandas/pyarrow and gokart, with peak memory.

kartcore promises that a Target adds next to nothing to the library call it wraps: a dump or load
through ``make_target(path)`` costs at most 1.25x the same raw pandas/pyarrow call on the same
data, and a dump needs at most 1.5x the frame's own size in extra memory. gokart 1.12.2 runs beside
both for scale (its dill pickles, gzip parquet and copied feather frames cost several times more).

Why it is built this way:

* One frame, built the same way (fixed seed) in every process: 2,000,000 rows by default, with an
  int64, a float64, a float32, a category and a string column (pandas' default string dtype).
* Timings run in one child process per format, so every implementation sees the same frame, the
  same imports and the same disk cache. Each round dumps and loads with every implementation, in
  an order that rotates from round to round, to a file removed beforehand, so none of them
  profits from overwriting or from running second. The table shows the median of the rounds.
* Memory runs in a fresh child process per (format, implementation): it builds the frame, runs a
  tiny warm-up dump (imports and one-off allocations are not the dump's), takes the resident size
  as the baseline, resets the kernel's high-water mark (Linux ``/proc/self/clear_refs``; elsewhere
  a psutil sampling thread, or ``getrusage`` as the last resort) and dumps once. Peak minus
  baseline, divided by the frame's ``memory_usage(deep=True)``, is the figure.
* Timings never make the script fail: machines are noisy, so the targets are reported, not
  enforced. It exits non-zero only if kartcore or the raw call fails; a gokart failure is reported.

Run ``python benchmarks/frame_io.py [--rows N] [--repeat R] [--formats pkl,csv] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("pkl", "parquet", "feather", "csv")
IMPLEMENTATIONS = ("raw", "kartcore", "gokart")
TARGET_TIME_RATIO = 1.25
TARGET_MEMORY_RATIO = 1.5
DEFAULT_ROWS = 2_000_000
DEFAULT_REPEAT = 5
#: Each timing sample runs an operation until the raw call has taken this long (at most MAX_CALLS times).
MIN_SAMPLE_S = 0.25
MAX_CALLS = 20

Operation = Callable[..., Any]


# ----- the frame and the operations (run inside the child processes) ------------------------


def build_frame(rows: int) -> Any:
    """The benchmark frame: int64, float64, float32, category and string columns, fixed seed."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20240601)
    return pd.DataFrame(
        {
            "int64": rng.integers(0, 1 << 40, rows, dtype=np.int64),
            "float64": rng.random(rows),
            "float32": rng.random(rows, dtype=np.float32),
            "category": pd.Categorical.from_codes(
                rng.integers(0, 64, rows), categories=[f"category_{i:02d}" for i in range(64)]
            ),
            "string": [f"user-{value:08x}" for value in rng.integers(0, 1 << 32, rows)],
        }
    )


def operations(implementation: str, fmt: str) -> tuple[Operation, Operation]:
    """``(dump(frame, path), load(path))`` for one implementation and format."""
    if implementation == "kartcore":
        from kartcore.io import make_target

        return (lambda frame, path: make_target(path).dump(frame)), (lambda path: make_target(path).load())
    if implementation == "gokart":
        from gokart.target import make_target as make_gokart_target

        return (lambda frame, path: make_gokart_target(path).dump(frame)), (
            lambda path: make_gokart_target(path).load()
        )
    import pandas as pd

    raw: dict[str, tuple[Operation, Operation]] = {
        "pkl": (lambda frame, path: frame.to_pickle(path), pd.read_pickle),
        "parquet": (lambda frame, path: frame.to_parquet(path), pd.read_parquet),
        "feather": (lambda frame, path: frame.to_feather(path), pd.read_feather),
        "csv": (lambda frame, path: frame.to_csv(path, index=False), pd.read_csv),
    }
    return raw[fmt]


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def _timed_dump(dump: Operation, frame: Any, path: str) -> float:
    _remove(path)
    start = time.perf_counter()
    dump(frame, path)
    return time.perf_counter() - start


def _timed_load(load: Operation, path: str, rows: int) -> float:
    start = time.perf_counter()
    loaded = load(path)
    elapsed = time.perf_counter() - start
    if len(loaded) != rows:
        raise RuntimeError(f"{path}: loaded {len(loaded)} rows, expected {rows}")
    return elapsed


def worker_timing(fmt: str, rows: int, repeat: int, implementations: list[str], directory: str) -> dict[str, Any]:
    """Time ``repeat`` rounds of dump then load for every implementation, in rotating order.

    An untimed warm-up round comes first. It also sets how often each operation runs per sample:
    often enough that the raw call takes MIN_SAMPLE_S in all (at most MAX_CALLS times), so a
    20 ms pickle load is not at the mercy of a single page fault; a sample is the mean per call.
    """
    frame = build_frame(rows)
    ops = {name: operations(name, fmt) for name in implementations}
    paths = {name: os.path.join(directory, f"{name}.{fmt}") for name in implementations}
    for name in implementations:  # warm-up
        _timed_dump(ops[name][0], frame, paths[name])
        _timed_load(ops[name][1], paths[name], rows)
    raw_dump, raw_load = ops["raw"]
    warm = {"dump": _timed_dump(raw_dump, frame, paths["raw"]), "load": _timed_load(raw_load, paths["raw"], rows)}
    calls = {op: min(MAX_CALLS, max(1, math.ceil(MIN_SAMPLE_S / max(seconds, 1e-6)))) for op, seconds in warm.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {"dump": [], "load": []} for name in implementations}
    for round_index in range(repeat):
        shift = round_index % len(implementations)
        for name in implementations[shift:] + implementations[:shift]:
            dump, load = ops[name]
            gc.collect()  # once per batch: a full collection with pandas loaded takes milliseconds
            dumps = [_timed_dump(dump, frame, paths[name]) for _ in range(calls["dump"])]
            gc.collect()
            loads = [_timed_load(load, paths[name], rows) for _ in range(calls["load"])]
            samples[name]["dump"].append(statistics.fmean(dumps))
            samples[name]["load"].append(statistics.fmean(loads))
    for path in paths.values():
        _remove(path)
    return {"samples": samples, "calls_per_sample": calls}


def _rss_bytes() -> int:
    """The current resident set size (with getrusage only, the high-water mark so far)."""
    if os.path.exists("/proc/self/statm"):
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    try:
        import psutil
    except ImportError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return int(psutil.Process().memory_info().rss)


def _peak_meter() -> tuple[str, Callable[[], None], Callable[[], int]]:
    """``(method, reset, peak_bytes)``: the most precise way to read peak RSS available here."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")

        def reset() -> None:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")

        def peak() -> int:
            with open("/proc/self/status", encoding="ascii") as status:
                line = next(line for line in status if line.startswith("VmHWM:"))
            return int(line.split()[1]) * 1024

        return "clear_refs", reset, peak
    except OSError:
        pass
    try:
        import psutil
    except ImportError:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return "getrusage", lambda: None, lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    process = psutil.Process()
    state = {"peak": 0, "stop": False}

    def sample() -> None:
        while not state["stop"]:
            state["peak"] = max(state["peak"], process.memory_info().rss)
            time.sleep(0.001)

    thread = threading.Thread(target=sample, daemon=True)

    def reset_sampling() -> None:
        state["peak"] = process.memory_info().rss
        thread.start()

    def stop_sampling() -> int:
        state["stop"] = True
        thread.join()
        return max(state["peak"], process.memory_info().rss)

    return "psutil", reset_sampling, stop_sampling


def worker_memory(fmt: str, rows: int, implementation: str, directory: str) -> dict[str, Any]:
    """Peak resident memory of one dump above the baseline after building the frame."""
    frame = build_frame(rows)
    frame_bytes = int(frame.memory_usage(deep=True, index=True).sum())
    dump, _ = operations(implementation, fmt)
    warm_up = os.path.join(directory, f"warm-up-{implementation}.{fmt}")
    dump(frame.head(100), warm_up)
    _remove(warm_up)
    path = os.path.join(directory, f"memory-{implementation}.{fmt}")
    method, reset, peak = _peak_meter()
    gc.collect()
    baseline = _rss_bytes()
    reset()
    dump(frame, path)
    peak_bytes = peak()
    _remove(path)
    return {"method": method, "frame_bytes": frame_bytes, "baseline_bytes": baseline, "peak_bytes": peak_bytes}


# ----- the parent: run the children, summarise, report ---------------------------------------


def _child(args: list[str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def frame_description(rows: int) -> dict[str, Any]:
    frame = build_frame(min(rows, 1000))
    return {"rows": rows, "dtypes": {name: str(dtype) for name, dtype in frame.dtypes.items()}}


def measure(args: argparse.Namespace, implementations: list[str], directory: str) -> dict[str, Any]:
    """Run the timing and memory children for every format."""
    results: dict[str, Any] = {"timings": {}, "calls_per_sample": {}, "memory": {}, "errors": {}}
    common = ["--rows", str(args.rows), "--dir", directory]
    for fmt in args.formats:
        timing_args = ["--worker", "timing", "--format", fmt, "--repeat", str(args.repeat), *common]
        timing = _child([*timing_args, "--impls", ",".join(implementations)])
        if "error" in timing and "gokart" in implementations:  # report gokart's failure, time the others
            results["errors"][f"{fmt} timing gokart"] = timing["error"]
            timing = _child([*timing_args, "--impls", "raw,kartcore"])
        if "error" in timing:
            results["errors"][f"{fmt} timing"] = timing["error"]
        else:
            results["timings"][fmt] = timing["samples"]
            results["calls_per_sample"][fmt] = timing["calls_per_sample"]
        if args.no_memory:
            continue
        results["memory"][fmt] = {}
        for implementation in implementations:
            memory = _child(["--worker", "memory", "--format", fmt, "--impl", implementation, *common])
            if "error" in memory:
                results["errors"][f"{fmt} memory {implementation}"] = memory["error"]
            else:
                results["memory"][fmt][implementation] = memory
    return results


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def summarise(args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    """Medians, ratios to raw, memory ratios and the verdict, as one JSON-ready dict."""
    timings: dict[str, Any] = {}
    missed: list[str] = []
    for fmt, samples in results["timings"].items():
        timings[fmt] = {}
        for op in ("dump", "load"):
            cell: dict[str, Any] = {}
            for name, by_op in samples.items():
                values = by_op[op]
                cell[name] = {"median_s": statistics.median(values), "min_s": min(values), "samples_s": values}
            raw = cell["raw"]["median_s"]
            ratios = {
                f"{name}/raw": cell[name]["median_s"] / raw if raw > 0 else None for name in cell if name != "raw"
            }
            timings[fmt][op] = {"seconds": cell, "ratios": ratios}
            ratio = ratios.get("kartcore/raw")
            if ratio is not None and ratio > TARGET_TIME_RATIO:
                missed.append(f"{fmt} {op} time {ratio:.2f}x")
    memory: dict[str, Any] = {}
    method = None
    for fmt, by_impl in results["memory"].items():
        memory[fmt] = {}
        for name, figures in by_impl.items():
            method = figures["method"]
            extra = max(0, figures["peak_bytes"] - figures["baseline_bytes"])
            memory[fmt][name] = {**figures, "extra_bytes": extra, "ratio": extra / figures["frame_bytes"]}
        ratio = memory[fmt].get("kartcore", {}).get("ratio")
        if ratio is not None and ratio > TARGET_MEMORY_RATIO:
            missed.append(f"{fmt} dump memory {ratio:.2f}x")
    frame_bytes = next((f["frame_bytes"] for by in results["memory"].values() for f in by.values()), None)
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {name: _version(name) for name in ("gokart-core", "gokart", "pandas", "pyarrow", "numpy")},
        "frame": {**frame_description(args.rows), "bytes": frame_bytes},
        "repeat": args.repeat,
        "calls_per_sample": results["calls_per_sample"],
        "timings": timings,
        "memory": memory,
        "memory_method": method,
        "errors": results["errors"],
        "target": {
            "description": f"kartcore/raw <= {TARGET_TIME_RATIO} for every median; "
            f"dump peak memory above baseline <= {TARGET_MEMORY_RATIO}x the frame",
            "max_time_ratio": TARGET_TIME_RATIO,
            "max_memory_ratio": TARGET_MEMORY_RATIO,
            "missed": missed,
            "met": not missed and not any(not key.endswith("gokart") for key in results["errors"]),
        },
    }


def _cell(value: float | None, suffix: str = "", width: int = 9) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width - len(suffix)}.3f}{suffix}"


def format_table(summary: dict[str, Any]) -> str:
    frame = summary["frame"]
    size = f", {frame['bytes'] / 1e6:.1f} MB in memory" if frame["bytes"] else ""
    lines = [
        f"Frame I/O: {frame['rows']:,} rows x {len(frame['dtypes'])} columns "
        f"({', '.join(frame['dtypes'].values())}){size}; median of {summary['repeat']} rounds, seconds",
        f"versions: {', '.join(f'{k} {v}' for k, v in summary['versions'].items() if v)}",
        "",
        "| format | op | raw s | kartcore s | gokart s | kartcore/raw | gokart/raw |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fmt, by_op in summary["timings"].items():
        for op, cell in by_op.items():
            seconds = {name: figures["median_s"] for name, figures in cell["seconds"].items()}
            ratios = cell["ratios"]
            lines.append(
                f"| {fmt} | {op} | {seconds['raw']:.3f} | {seconds['kartcore']:.3f} | "
                f"{_fmt(seconds.get('gokart'))} | {_ratio(ratios.get('kartcore/raw'))} | "
                f"{_ratio(ratios.get('gokart/raw'))} |"
            )
    if summary["memory"]:
        lines += [
            "",
            f"Peak memory of one dump above the baseline, / frame size ({summary['memory_method']}):",
            "",
            "| format | raw | kartcore | gokart |",
            "| --- | ---: | ---: | ---: |",
        ]
        for fmt, by_impl in summary["memory"].items():
            cells = [_ratio(by_impl[name]["ratio"]) if name in by_impl else "-" for name in IMPLEMENTATIONS]
            lines.append(f"| {fmt} | {' | '.join(cells)} |")
    for key, error in summary["errors"].items():
        lines.append(f"error: {key}: {error}")
    target = summary["target"]
    verdict = "met" if target["met"] else f"NOT met ({'; '.join(target['missed']) or 'errors'})"
    lines += ["", f"target: {target['description']}: {verdict} (reported only; timings never fail this script)"]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows of the frame (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed rounds (default %(default)s)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset of %(default)s")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--no-gokart", action="store_true", help="leave gokart out even if it is installed")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurements")
    parser.add_argument("--worker", choices=("timing", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--impl", help=argparse.SUPPRESS)
    parser.add_argument("--impls", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.formats = [fmt.strip().lstrip(".") for fmt in args.formats.split(",") if fmt.strip()]
    unknown = sorted(set(args.formats) - set(FORMATS))
    if unknown:
        parser.error(f"unknown formats {unknown}; choose from {', '.join(FORMATS)}")
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure and report; 1 if kartcore or the raw call failed, otherwise 0 whatever the timings."""
    args = parse_args(argv)
    if args.worker:
        sys.path.insert(0, str(ROOT))
        if args.worker == "timing":
            result = worker_timing(args.format, args.rows, args.repeat, args.impls.split(","), args.dir)
        else:
            result = worker_memory(args.format, args.rows, args.impl, args.dir)
        print(json.dumps(result))
        return 0
    implementations = list(IMPLEMENTATIONS)
    if args.no_gokart or importlib.util.find_spec("gokart") is None:
        implementations.remove("gokart")
    with tempfile.TemporaryDirectory(prefix="kartcore-frame-io-") as directory:
        results = measure(args, implementations, directory)
    summary = summarise(args, results)
    print(format_table(summary))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 1 if any(not key.endswith("gokart") for key in results["errors"]) else 0


if __name__ == "__main__":
    sys.exit(main())
