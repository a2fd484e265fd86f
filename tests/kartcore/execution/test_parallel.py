"""``--workers N`` and ``build(workers=N)`` really run N tasks at once, and a task process starts cheaply.

Times are only compared with each other (overlap of recorded intervals, share of the span spent inside
``run()``), never with a fixed number of seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.task import module_versions

SLEEP_SECONDS = 0.5

PIPELINE = textwrap.dedent(
    f"""
    import os
    import time

    import luigi
    import kartcore


    class Sleeper(kartcore.TaskOnKart[int]):
        task_namespace = "parallel"
        index = luigi.IntParameter()
        log_directory = luigi.Parameter(significant=False)

        def run(self):
            started = time.time()
            time.sleep({SLEEP_SECONDS})
            with open(os.path.join(self.log_directory, str(self.index)), "w") as log:
                log.write(f"{{started}} {{time.time()}} {{os.getpid()}}")
            self.dump(self.index)


    class Gather(kartcore.TaskOnKart[int]):
        task_namespace = "parallel"
        width = luigi.IntParameter()
        log_directory = luigi.Parameter(significant=False)

        def requires(self):
            return [Sleeper(index=i, log_directory=self.log_directory) for i in range(self.width)]

        def run(self):
            self.dump(sum(self.load()))
    """
)


def _intervals(log_directory: Path) -> list[tuple[float, float, int]]:
    rows = []
    for path in log_directory.iterdir():
        started, ended, pid = path.read_text().split()
        rows.append((float(started), float(ended), int(pid)))
    return sorted(rows)


def _most_at_once(intervals: list[tuple[float, float, int]]) -> int:
    events = sorted([(start, 1) for start, _, _ in intervals] + [(end, -1) for _, end, _ in intervals])
    running = best = 0
    for _, change in events:
        running += change
        best = max(best, running)
    return best


def _busy_share(intervals: list[tuple[float, float, int]], workers: int) -> float:
    """Time inside run() over what ``workers`` slots could hold from the first start to the last end."""
    span = max(end for _, end, _ in intervals) - min(start for start, _, _ in intervals)
    return sum(end - start for start, end, _ in intervals) / (workers * span)


def _load_pipeline(directory: Path) -> object:
    (directory / "parallel_pipeline.py").write_text(PIPELINE)
    sys.path.insert(0, str(directory))
    try:
        import parallel_pipeline

        return parallel_pipeline
    finally:
        sys.path.remove(str(directory))


def test_build_with_four_workers_keeps_four_tasks_running(tmp_path: Path) -> None:
    pipeline = _load_pipeline(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    assert kartcore.build(pipeline.Gather(width=8, log_directory=str(logs)), workers=4) == sum(range(8))
    intervals = _intervals(logs)
    assert len(intervals) == 8
    assert len({pid for _, _, pid in intervals}) == 8, "each task ran in its own worker process"
    assert _most_at_once(intervals) == 4, intervals
    # Before worker processes were prepared in the parent, each task process spent about as long starting
    # (importing numpy, mapping distributions) as a 0.3 s task ran: about half of the span was idle.
    assert _busy_share(intervals, workers=4) > 0.75, intervals


def test_command_line_workers_overlap(tmp_path: Path) -> None:
    (tmp_path / "parallel_pipeline.py").write_text(PIPELINE)
    (tmp_path / "main.py").write_text("import kartcore\nimport parallel_pipeline  # noqa: F401\n\nkartcore.run()\n")
    logs = tmp_path / "logs"
    logs.mkdir()
    command = [sys.executable, "main.py", "parallel.Gather", "--local-scheduler", "--workers", "3"]
    command += ["--width=6", f"--log-directory={logs}"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    intervals = _intervals(logs)
    assert len(intervals) == 6
    assert _most_at_once(intervals) == 3, intervals
    assert _busy_share(intervals, workers=3) > 0.75, intervals


@pytest.mark.parametrize("how", ["workers=2", "force_multiprocessing"])
def test_task_processes_inherit_what_the_parent_prepared(how: str) -> None:
    """The module map behind module_versions and the seed libraries exist before the first fork."""
    workers = 2
    if how == "force_multiprocessing":  # one worker, but a process per task
        luigi.configuration.get_config().set("worker", "force_multiprocessing", "true")
        workers = 1

    class Probe(kartcore.TaskOnKart[list]):
        index = luigi.IntParameter()

        def run(self) -> None:
            self.dump([module_versions._versions_by_module is not None, "numpy" in sys.modules, os.getpid()])

    class Both(kartcore.TaskOnKart[list]):
        def requires(self) -> list[Probe]:
            return [Probe(index=0), Probe(index=1)]

        def run(self) -> None:
            self.dump(self.load())

    saved = module_versions._versions_by_module
    module_versions._versions_by_module = None
    try:
        results = kartcore.build(Both(), workers=workers)
        assert [result[:2] for result in results] == [[True, True], [True, True]]
        assert os.getpid() not in {result[2] for result in results}, "each probe ran in a task process"
    finally:
        if module_versions._versions_by_module is None:
            module_versions._versions_by_module = saved
