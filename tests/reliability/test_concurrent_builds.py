"""Two builds of the same DAG on one workspace, started at the same moment, without Redis.

Both write the same files; atomic publish means each file is one whole version, so both builds
finish and every output is correct. Several rounds, each on a fresh workspace, so the two builds
really race on the 40 MB write.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import dag
from tests.reliability.test_kill import REPO, RUNNER, check_state, temp_files

ROUNDS = 5

pytestmark = pytest.mark.slow


def test_two_builds_at_once_both_finish_with_correct_outputs(tmp_path: Path) -> None:
    finished = 0
    for round_ in range(ROUNDS):
        workspace = tmp_path / f"ws-{round_}"
        go = tmp_path / f"go-{round_}"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", RUNNER, str(workspace), str(go)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "READY"
        go.touch()  # both are waiting: release them together
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            assert "DONE" in out
            finished += 1
        assert check_state(workspace) == (3, 3)
        assert not temp_files(workspace)
        for name, task in dag.tasks(str(workspace)).items():
            assert task.output().load() == dag.EXPECTED[name]()
    print(f"\nconcurrent builds finished: {finished} of {2 * ROUNDS} ({ROUNDS} rounds of 2)")
