"""The README's main command, ``bash scripts/demo``: generate the sample project, install it, run its pipeline.

It is one of the two commands the README promises on a fresh machine, so a test runs it as written (its own
``demo/`` directory, the repository's ``.venv``), and checks what it says it did against the files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import VERIFIED

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"


def test_the_demo_generates_verifies_and_runs_the_sample_pipeline() -> None:
    existed = DEMO.exists()
    try:
        result = subprocess.run(
            ["bash", "scripts/demo"], cwd=REPO, capture_output=True, text=True, timeout=1200, check=False
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        project = DEMO / "kart-pipeline"
        assert VERIFIED.search(result.stdout), result.stdout
        (metrics,) = (project / "resources" / "evaluation").glob("metrics_*.json")
        printed = next(line for line in result.stdout.splitlines() if line.startswith("metrics: "))
        assert json.loads(printed.removeprefix("metrics: ")) == json.loads(metrics.read_text(encoding="utf-8"))
        assert 0.5 < json.loads(metrics.read_text(encoding="utf-8"))["accuracy"] <= 1.0
        records = {path.name.split("_")[0] for path in (project / "resources" / "log" / "task_params").glob("*.pkl")}
        assert records == {"LoadIris", "SplitData", "TrainCentroids", "Evaluate"}
    finally:
        if not existed:
            shutil.rmtree(DEMO, ignore_errors=True)
