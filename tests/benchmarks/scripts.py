"""Running a benchmark script the way the smoke tests do: this interpreter, output captured, bounded in time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run_benchmark(script: str, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python benchmarks/SCRIPT ARGUMENTS``; the caller checks the exit code (with stderr in the message)."""
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
