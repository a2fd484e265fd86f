"""The seeds' example code (../shared/seeds/), written out as scripts and a small project.

``IMPORT`` is replaced by ``import kartcore as gokart`` (or by ``import gokart`` to run the very
same code under gokart for comparison).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

KARTCORE = "import kartcore as gokart"
GOKART = "import gokart"

QUICKSTART = """
IMPORT

class Example(gokart.TaskOnKart[str]):
    def run(self):
        self.dump('Hello, world!')

task = Example()
output = gokart.build(task)
print(output)
"""

RUN_SAMPLE = """
IMPORT
import luigi

class SampleTask(gokart.TaskOnKart):
    param = luigi.Parameter()

    def run(self):
        self.dump(self.param)

gokart.run()
"""

RUN_SAMPLE_ARGV = RUN_SAMPLE.replace("gokart.run()", "gokart.run(['SampleTask', '--local-scheduler', '--param=hello'])")

BUILD_SAMPLE = """
IMPORT
import logging
import luigi

class SampleTask(gokart.TaskOnKart):
    param = luigi.Parameter()

    def run(self):
        self.dump(self.param)

gokart.build(SampleTask(param='hello'), return_value=False)
gokart.build(SampleTask(param='hello'), return_value=False, log_level=logging.DEBUG)
"""

TEMPLATE_PY = """
IMPORT


class GokartTask(gokart.TaskOnKart):
    task_namespace = 'gokart_example'
"""

SAMPLE_PY = """
from logging import getLogger
IMPORT
import luigi
from gokart_example.utils.template import GokartTask
logger = getLogger(__name__)


class Sample(GokartTask):
    VERSION_PARAMETER

    def run(self):
        self.dump(SAMPLE_OUTPUT)


class StringToSplit(GokartTask):
    \"\"\"Like the function to divide received data by spaces.\"\"\"
    task = gokart.TaskInstanceParameter()

    def run(self):
        sample = self.load('task')
        self.dump(sample.split(' '))


class Main(GokartTask):
    \"\"\"Endpoint task.\"\"\"
    MAIN_RERUN

    def requires(self):
        return StringToSplit(task=Sample(SAMPLE_KWARGS), STRING_KWARGS)
"""

MAIN_PY = """
IMPORT
import gokart_example  # noqa: F401

if __name__ == '__main__':
    gokart.add_config('./conf/param.ini')
    gokart.run()
"""

PARAM_INI = """
[TaskOnKart]
workspace_directory = ./resources/

[core]
no_lock = true
"""


def code(text: str, import_line: str) -> str:
    return textwrap.dedent(text).replace("IMPORT", import_line).lstrip()


def write_tutorial_project(root: Path, import_line: str, variant: str = "plain") -> None:
    """The cookiecutter-gokart project layout with the tutorial's Sample, StringToSplit and Main."""
    sample = code(SAMPLE_PY, import_line)
    replacements = {
        "plain": ("", "'sample output'", "", "", ""),
        "rerun": ("", "'sample output'", "rerun = True", "rerun=True", "rerun=True"),
        "version": ("version = luigi.IntParameter(default=1)", "f'sample output version {self.version}'", "", "", ""),
    }[variant]
    markers = ("VERSION_PARAMETER", "SAMPLE_OUTPUT", "MAIN_RERUN", "SAMPLE_KWARGS", "STRING_KWARGS")
    for marker, value in zip(markers, replacements, strict=True):
        sample = sample.replace(marker, value)
    sample = sample.replace("Sample(), )", "Sample())").replace(", )", ")")
    package = root / "gokart_example"
    (package / "model").mkdir(parents=True, exist_ok=True)
    (package / "utils").mkdir(parents=True, exist_ok=True)
    exports = "from gokart_example.model.sample import Main, Sample, StringToSplit  # noqa: F401\n"
    (package / "__init__.py").write_text(exports)
    (package / "model" / "__init__.py").write_text("")
    (package / "utils" / "__init__.py").write_text("")
    (package / "utils" / "template.py").write_text(code(TEMPLATE_PY, import_line))
    (package / "model" / "sample.py").write_text(sample)
    (root / "conf").mkdir(exist_ok=True)
    (root / "conf" / "param.ini").write_text(PARAM_INI)
    (root / "main.py").write_text(code(MAIN_PY, import_line))


def python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the interpreter of the tests in ``root``; stdout and stderr captured."""
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=180)
