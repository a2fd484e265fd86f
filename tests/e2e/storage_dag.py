"""The small DAG the object-storage tests (S3 and GCS) build: one producer, one consumer, one that fails.

``RUNS`` records which ``run()`` methods were called, so a test can tell a reused output from a rerun.
"""

from __future__ import annotations

import luigi
import luigi.configuration

import kartcore

RUNS: list[str] = []
RECORDS = ("module_versions", "processing_time", "random_seed", "run_record", "task_log", "task_params")


class Numbers(kartcore.TaskOnKart):
    task_namespace = "storage_dag"
    size = luigi.IntParameter(default=4)

    def run(self) -> None:
        RUNS.append("Numbers")
        self.dump(list(range(self.size)))


class Total(kartcore.TaskOnKart):
    task_namespace = "storage_dag"

    def requires(self) -> Numbers:
        return Numbers()

    def output(self) -> kartcore.io.Target:
        return self.make_target("report/total.json")

    def run(self) -> None:
        RUNS.append("Total")
        self.dump({"total": sum(self.load())})


class Broken(kartcore.TaskOnKart):
    task_namespace = "storage_dag"

    def requires(self) -> Numbers:
        return Numbers()

    def run(self) -> None:
        RUNS.append("Broken")
        self.dump("half")  # staged, then run() fails: it must never be published
        raise RuntimeError("broken on purpose")


def build_total_in(workspace: str) -> list[str]:
    """Build Total (and Numbers) with ``workspace`` as every task's workspace; the run() methods that ran."""
    use_workspace(workspace)
    RUNS.clear()
    assert kartcore.build(Total()) == {"total": 6}
    return list(RUNS)


def use_workspace(workspace: str) -> None:
    """Point every task's ``workspace_directory`` at ``workspace`` (the test fixture restores the config)."""
    luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", workspace)
