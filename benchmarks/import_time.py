"""How long a fresh interpreter takes to ``import kartcore``, next to luigi and gokart.

kartcore promises that ``import kartcore`` costs about what ``import luigi`` costs: the package
loads luigi and the standard library only, and pandas & co. load when a format needs them. This
script checks that promise the only way that means anything for a command-line tool - by timing
fresh interpreters - and puts gokart (which imports pandas, numpy, pyarrow, ... up front) beside it
for scale.

Why it is built this way:

* Every sample is a new ``python -c "import X"`` process, because a second import in the same
  process is a dictionary lookup.
* All libraries are measured in the same run, in rounds, and the order inside a round rotates (and
  flips every other round). Machine noise (CPU frequency, other jobs, disk cache) then falls on all
  libraries alike instead of on whichever one happened to run during a slow spell.
* One untimed warm-up import per library compiles the ``.pyc`` files and fills the disk cache, so
  the first timed round is not an outlier; it also tells us early if an import fails.
* ``pass`` is timed as well: it is the interpreter start-up that every other figure includes.
* ``-X importtime`` is run once per library, for the import's own self/cumulative time without the
  interpreter start-up (and to see where time goes when the target is missed).
* Timings never make the script fail (machines are noisy; the target is reported, not enforced).
  Only an import that fails gives a non-zero exit status.

Run ``python benchmarks/import_time.py [--repeat N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What each measured interpreter runs; ``baseline`` is the bare interpreter start-up.
CASES: dict[str, str] = {
    "baseline": "pass",
    "luigi": "import luigi",
    "kartcore": "import kartcore",
    "gokart": "import gokart",
}
#: The libraries compared against luigi, and the distribution that tells their version.
DISTRIBUTIONS: dict[str, str] = {"luigi": "luigi", "kartcore": "gokart-core", "gokart": "gokart"}
REFERENCE = "luigi"
COMPARED = ("kartcore", "gokart")
#: kartcore's median may exceed luigi's by at most this much (gokart takes about 0.5 s here).
TARGET_SECONDS = 0.08
DEFAULT_REPEAT = 15
#: The repository root: the child processes run here so a checkout that is not installed imports too.
ROOT = Path(__file__).resolve().parent.parent


class ImportFailed(RuntimeError):
    """A measured import failed; its figures would be meaningless, so the run stops."""


@dataclass
class Measurement:
    """The samples and ``-X importtime`` figures of one case."""

    name: str
    samples: list[float] = field(default_factory=list)
    self_us: int | None = None
    cumulative_us: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": CASES[self.name],
            "median_s": self.median,
            "min_s": self.minimum,
            "max_s": max(self.samples),
            "samples_s": self.samples,
            "importtime_self_us": self.self_us,
            "importtime_cumulative_us": self.cumulative_us,
        }


def _run(args: list[str], name: str) -> subprocess.CompletedProcess[str]:
    """Run one child interpreter; raise :class:`ImportFailed` (with its stderr) if it fails."""
    completed = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False, env=_child_env()
    )
    if completed.returncode != 0:
        raise ImportFailed(f"{name}: `{' '.join(args)}` exited with {completed.returncode}\n{completed.stderr}")
    return completed


def _child_env() -> dict[str, str]:
    """The parent's environment without settings that would make the children slower or unequal."""
    env = dict(os.environ)
    for name in ("PYTHONIMPORTTIME", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


def time_once(name: str) -> float:
    """Wall time, in seconds, of one fresh interpreter running the case's code."""
    start = time.perf_counter()
    _run(["-c", CASES[name]], name)
    return time.perf_counter() - start


def round_order(names: list[str], round_index: int) -> list[str]:
    """The order of one round: rotated by the round number and reversed every other round.

    Over the rounds each case runs in every position and after every other case, so slow spells
    and "the previous process just warmed the cache" effects are shared out.
    """
    shift = round_index % len(names)
    order = names[shift:] + names[:shift]
    return order[::-1] if round_index % 2 else order


def importtime(name: str) -> tuple[int, int]:
    """``(self, cumulative)`` microseconds of the top-level import, from ``python -X importtime``."""
    module = CASES[name].removeprefix("import ").strip()
    completed = _run(["-X", "importtime", "-c", CASES[name]], name)
    return parse_importtime(completed.stderr, module)


def parse_importtime(stderr: str, module: str) -> tuple[int, int]:
    """Find ``module``'s unindented line in ``-X importtime`` output: ``import time: self | cumulative | name``."""
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.removeprefix("import time:").split("|", 2)
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        if parts[2].removeprefix(" ") == module:
            return int(parts[0]), int(parts[1])
    raise ImportFailed(f"{module}: no top-level line in the -X importtime output")


def measure(repeat: int) -> dict[str, Measurement]:
    """Warm up, time every case ``repeat`` times in rotating order, then run ``-X importtime`` once each."""
    names = list(CASES)
    results = {name: Measurement(name) for name in names}
    for name in names:
        time_once(name)  # warm-up: compiles .pyc files, fills the disk cache, fails fast
    for round_index in range(repeat):
        for name in round_order(names, round_index):
            results[name].samples.append(time_once(name))
    for name in names:
        if name != "baseline":
            results[name].self_us, results[name].cumulative_us = importtime(name)
    return results


def summarise(results: dict[str, Measurement], repeat: int) -> dict[str, Any]:
    """All figures as one JSON-ready dict (what ``--json`` writes and the table shows)."""
    reference = results[REFERENCE]
    baseline = results["baseline"]
    differences = {
        f"{name}-{REFERENCE}": {
            "median_s": results[name].median - reference.median,
            "min_s": results[name].minimum - reference.minimum,
        }
        for name in COMPARED
    }
    ratios = {f"{name}/{REFERENCE}": results[name].median / reference.median for name in COMPARED}
    # The same ratio with interpreter start-up subtracted: what the import itself costs.
    net_reference = reference.median - baseline.median
    net_ratios = {
        f"{name}/{REFERENCE}": (results[name].median - baseline.median) / net_reference if net_reference > 0 else None
        for name in COMPARED
    }
    kartcore_excess = differences[f"kartcore-{REFERENCE}"]["median_s"]
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "versions": {name: _version(dist) for name, dist in DISTRIBUTIONS.items()},
        "repeat": repeat,
        "libraries": {name: measurement.as_json() for name, measurement in results.items()},
        "differences": differences,
        "ratios": ratios,
        "net_ratios": net_ratios,
        "target": {
            "description": f"median(import kartcore) - median(import {REFERENCE}) <= {TARGET_SECONDS} s",
            "max_difference_s": TARGET_SECONDS,
            "difference_s": kartcore_excess,
            "met": kartcore_excess <= TARGET_SECONDS,
        },
    }


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def format_table(summary: dict[str, Any]) -> str:
    """The printed report: one row per case, then the differences, ratios and the target."""
    libraries = summary["libraries"]
    reference = libraries[REFERENCE]
    lines = [
        f"Import time, fresh interpreter (Python {summary['python']}, {summary['repeat']} rounds, "
        f"wall time includes interpreter start-up)",
        "",
        f"{'case':<10} {'version':<9} {'median s':>9} {'min s':>8} {'vs luigi':>9} {'x luigi':>7} "
        f"{'self ms':>8} {'cumul ms':>9}",
    ]
    for name, figures in libraries.items():
        version = summary["versions"].get(name) or "-"
        is_library = name != "baseline"
        minus = f"{figures['median_s'] - reference['median_s']:+9.3f}" if is_library else f"{'-':>9}"
        ratio = f"{figures['median_s'] / reference['median_s']:7.2f}" if is_library else f"{'-':>7}"
        self_ms = _ms(figures["importtime_self_us"], 8)
        cumulative_ms = _ms(figures["importtime_cumulative_us"], 9)
        lines.append(
            f"{name:<10} {version:<9} {figures['median_s']:9.3f} {figures['min_s']:8.3f} {minus} {ratio} "
            f"{self_ms} {cumulative_ms}"
        )
    lines.append("")
    for name in COMPARED:
        key = f"{name}-{REFERENCE}"
        difference = summary["differences"][key]
        net = summary["net_ratios"][f"{name}/{REFERENCE}"]
        net_text = f", {net:.2f}x without start-up" if net is not None else ""
        lines.append(
            f"{key}: {difference['median_s']:+.3f} s median ({difference['min_s']:+.3f} s min); "
            f"{name}/{REFERENCE} = {summary['ratios'][f'{name}/{REFERENCE}']:.2f}x{net_text}"
        )
    target = summary["target"]
    verdict = "met" if target["met"] else "NOT met (reported only; timings never fail this script)"
    lines.append(f"target: {target['description']}: {target['difference_s']:+.3f} s -> {verdict}")
    return "\n".join(lines)


def _ms(microseconds: int | None, width: int) -> str:
    return f"{microseconds / 1000:{width}.1f}" if microseconds is not None else f"{'-':>{width}}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed rounds (default %(default)s)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure and report; 1 if an import failed, otherwise 0 whatever the timings."""
    args = parse_args(argv)
    try:
        results = measure(args.repeat)
    except ImportFailed as exc:
        print(f"import failed: {exc}", file=sys.stderr)
        return 1
    summary = summarise(results, args.repeat)
    print(format_table(summary))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
