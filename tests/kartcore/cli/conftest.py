"""A small project shaped like a generated one (pyproject, main.py, package, conf/param.ini), for the kart commands.

``toy_pipeline``: Load -> Split -> Train -> Report (Report also requires Split), Greet (a required
parameter) and Table (a data frame). ``conf/param.ini`` sets ``[TaskOnKart] workspace_directory =
./resources/`` (the relative default) and one task parameter, as generated projects do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kartcore.cli.app import main

PACKAGE = "toy_pipeline"

TASKS = textwrap.dedent(
    '''
    """The toy pipeline's tasks."""

    import luigi

    import kartcore


    class Base(kartcore.TaskOnKart):
        task_namespace = "toy_pipeline"


    class Load(Base):
        size = luigi.IntParameter(default=10)

        def run(self):
            self.dump(list(range(self.size)))


    class Split(Base):
        ratio = luigi.FloatParameter(default=0.5)

        def requires(self):
            return Load()

        def run(self):
            data = self.load()
            cut = int(len(data) * self.ratio)
            self.dump({"train": data[:cut], "test": data[cut:]})


    class Train(Base):
        def requires(self):
            return Split()

        def run(self):
            self.dump(sum(self.load()["train"]))


    class Report(Base):
        def requires(self):
            return {"model": Train(), "split": Split()}

        def output(self):
            return self.make_target("report/summary.json")

        def run(self):
            self.dump({"model": self.load("model"), "test_size": len(self.load("split")["test"])})


    class Greet(Base):
        name = luigi.Parameter()

        def run(self):
            self.dump(f"hello {self.name}")


    class Table(Base):
        rows = luigi.IntParameter(default=12)

        def output(self):
            return self.make_target("table/frame.csv")

        def run(self):
            import pandas

            self.dump(pandas.DataFrame({"x": range(self.rows), "square": [i * i for i in range(self.rows)]}))
    '''
)

FILES = {
    "pyproject.toml": textwrap.dedent(
        f"""
        [project]
        name = "toy-pipeline"
        version = "0.1.0"

        [tool.poetry]
        packages = [{{ include = "{PACKAGE}" }}]
        """
    ),
    "main.py": textwrap.dedent(
        f"""
        import kartcore

        import {PACKAGE}  # noqa: F401

        if __name__ == "__main__":
            kartcore.add_config("./conf/param.ini")
            kartcore.run()
        """
    ),
    "conf/param.ini": textwrap.dedent(
        f"""
        [TaskOnKart]
        workspace_directory = ./resources/

        [{PACKAGE}.Split]
        ratio = 0.6
        """
    ),
    f"{PACKAGE}/__init__.py": f"from {PACKAGE}.tasks import Greet, Load, Report, Split, Table, Train  # noqa: F401\n",
    f"{PACKAGE}/tasks.py": TASKS,
}


def write_project(root: Path) -> Path:
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_main(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS --local-scheduler`` in the project, as a user runs the pipeline."""
    completed = subprocess.run(
        [sys.executable, "main.py", *args, "--local-scheduler"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert completed.returncode == 0, completed.stderr
    return completed


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy project after ``python main.py toy_pipeline.Report`` (and a run with another ratio)."""
    root = write_project(tmp_path_factory.mktemp("built") / "toy-pipeline")
    run_main(root, f"{PACKAGE}.Report")
    run_main(root, f"{PACKAGE}.Report", f"--{PACKAGE.replace('_', '-')}.Split-ratio=0.3")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh toy project that has not run."""
    return write_project(tmp_path / "toy-pipeline")


@pytest.fixture
def ran_project(tmp_path: Path, built_project: Path) -> Iterator[Path]:
    """A copy of the built project (mtimes kept) that a test may change."""
    copy = tmp_path / "toy-pipeline"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns("__pycache__"))
    yield copy


def kart(*args: str, cwd: Path) -> Result:
    """Invoke ``kart ARGS`` in-process from ``cwd``; the working directory is restored afterwards."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(previous)
