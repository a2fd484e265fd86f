"""The DAG the Dask tests run, importable by the test process, the drivers and the Dask workers alike.

Every ``run()`` appends ``start|done <task> <pid>`` to ``journal`` (a local file: all processes are on this
machine), so a test can count attempts and published runs per task, and which worker processes ran them.
``journal`` and ``kill_marker`` are insignificant: output file names do not depend on them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import luigi

import kartcore

LEAVES = 8


class Base(kartcore.TaskOnKart):
    task_namespace = "dask_dag"
    journal = luigi.Parameter(default="", significant=False)

    def note(self, event: str) -> None:
        if self.journal:
            with open(self.journal, "a") as file:
                file.write(f"{event} {self.get_task_family()}:{getattr(self, 'index', '')} {os.getpid()}\n")


class Leaf(Base):
    index = luigi.IntParameter()
    seconds = luigi.FloatParameter(default=0.3, significant=False)
    kill_marker = luigi.Parameter(default="", significant=False)

    def run(self) -> None:
        self.note("start")
        if self.kill_marker and not os.path.exists(self.kill_marker):
            Path(self.kill_marker).touch()  # the first attempt only: the retry elsewhere must finish
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.seconds)
        self.dump(self.index)
        self.note("done")


class Total(Base):
    leaves = luigi.IntParameter(default=LEAVES)
    seconds = luigi.FloatParameter(default=0.3, significant=False)
    kill_marker = luigi.Parameter(default="", significant=False)

    def requires(self) -> list[Leaf]:
        return [
            Leaf(
                index=i,
                journal=self.journal,
                seconds=self.seconds,
                kill_marker=self.kill_marker if i == 3 else "",
            )
            for i in range(self.leaves)
        ]

    def run(self) -> None:
        self.note("start")
        self.dump(sum(self.load()))
        self.note("done")


class Broken(Base):
    def requires(self) -> Leaf:
        return Leaf(index=100, journal=self.journal)

    def run(self) -> None:
        self.note("start")
        self.dump("half")  # staged, then run() fails: never published
        raise RuntimeError("broken on purpose")


class AfterBroken(Base):
    """Needs Broken (fails) and an independent leaf (must still run)."""

    def requires(self) -> list[luigi.Task]:
        return [Broken(journal=self.journal), Leaf(index=101, journal=self.journal)]

    def run(self) -> None:
        self.dump("never")


class Unpicklable(Base):
    """Holds a lock made in ``__init__``: it cannot be sent to a worker."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.connection = threading.Lock()

    def run(self) -> None:
        self.dump("never")


def journal_lines(journal: Path) -> list[tuple[str, str, str]]:
    """``(event, task, pid)`` for every line of the journal (empty when nothing ran)."""
    if not journal.exists():
        return []
    return [tuple(line.split()) for line in journal.read_text().splitlines()]  # type: ignore[misc]


def count(journal: Path, event: str) -> dict[str, int]:
    """How many ``event`` lines each task has."""
    found: dict[str, int] = {}
    for kind, task, _ in journal_lines(journal):
        if kind == event:
            found[task] = found.get(task, 0) + 1
    return found


def total_tasks(leaves: int = LEAVES) -> set[str]:
    """The journal names of Total's DAG."""
    return {f"dask_dag.Leaf:{i}" for i in range(leaves)} | {"dask_dag.Total:"}
