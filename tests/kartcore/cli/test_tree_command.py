"""``kart tree``: the DAG with states, unique ids and output paths, in text, mermaid, dot and html."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.config_reads import counting_config_reads
from tests.kartcore.cli.conftest import kart

ID = r"[0-9a-f]{32}"


def test_text_tree_of_a_project_that_has_not_run(project: Path) -> None:
    result = kart("tree", "toy_pipeline.Report", cwd=project)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"└─-\(PENDING\) toy_pipeline\.Report\[{ID}\]  resources/report/summary_{ID}\.json", lines[0])
    assert re.fullmatch(
        rf"   \|--\(PENDING\) toy_pipeline\.Train\[{ID}\]  resources/toy_pipeline/tasks/Train_{ID}\.pkl", lines[1]
    )
    assert re.fullmatch(rf"   \|  └─-\(PENDING\) toy_pipeline\.Split\[{ID}\]  resources/.*/Split_{ID}\.pkl", lines[2])
    assert re.fullmatch(rf"   \|     └─-\(PENDING\) toy_pipeline\.Load\[{ID}\]  resources/.*/Load_{ID}\.pkl", lines[3])
    assert re.fullmatch(rf"   └─-\(PENDING\) toy_pipeline\.Split\[{ID}\]  .*", lines[4])
    assert lines[5] == "      └─- ... (shown above)"
    assert lines[-1] == "4 tasks: 0 complete, 4 pending"


def test_states_and_ids_match_what_main_py_wrote(ran_project: Path) -> None:
    result = kart("tree", "toy_pipeline.Report", cwd=ran_project)
    assert result.stdout.splitlines()[-1] == "4 tasks: 4 complete, 0 pending"
    for path in re.findall(r"  (resources/\S+)$", result.stdout, re.M):
        assert (ran_project / path).is_file(), path
    other = kart("tree", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.9", cwd=ran_project)
    assert other.stdout.splitlines()[-1] == "4 tasks: 1 complete, 3 pending", "only Load is shared"


def test_works_from_a_subdirectory_of_the_project(ran_project: Path) -> None:
    result = kart("tree", "toy_pipeline.Report", cwd=ran_project / "toy_pipeline")
    assert result.exit_code == 0
    assert "4 complete" in result.stdout


def test_mermaid(ran_project: Path) -> None:
    result = kart("tree", "toy_pipeline.Report", "--format", "mermaid", cwd=ran_project)
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    nodes = [line for line in lines if re.match(r"    n\d+\[", line)]
    assert len(nodes) == 4 and all(line.endswith(":::complete") for line in nodes)
    assert sum("-->" in line for line in lines) == 4  # Load->Split, Split->Train, Train->Report, Split->Report
    assert any("classDef complete" in line for line in lines)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's use of old pyparsing names
def test_dot_parses_with_pydot(ran_project: Path) -> None:
    pydot = pytest.importorskip("pydot", reason="pydot parses the DOT output (in the dev extra)")
    result = kart("tree", "toy_pipeline.Report", "-f", "dot", cwd=ran_project)
    (graph,) = pydot.graph_from_dot_data(result.stdout)
    labels = [node.get_label() for node in graph.get_nodes() if re.fullmatch(r"n\d+", node.get_name())]
    assert len(labels) == 4
    assert any("toy_pipeline.Report" in label for label in labels)
    assert len(graph.get_edges()) == 4


def test_html_to_a_file_relative_to_where_kart_runs(ran_project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("")  # not a project: no main.py
    result = kart("tree", "toy_pipeline.Report", "--format=html", "--output", "dag.html", cwd=ran_project / "conf")
    assert result.exit_code == 0, result.stderr
    page = (ran_project / "conf" / "dag.html").read_text()
    assert "wrote the html DAG of toy_pipeline.Report to" in result.stderr
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<g class="node complete"') == 4
    assert "ratio = 0.6" in page, "parameters are shown on hover"
    assert not re.search(r"(src|href)=\"?https?:", page), "the page loads nothing from the network"


def test_unknown_format_is_refused_by_click(project: Path) -> None:
    result = kart("tree", "toy_pipeline.Report", "--format", "svg", cwd=project)
    assert result.exit_code == 2
    assert "'svg' is not one of 'text', 'mermaid', 'dot', 'html'" in result.stderr


# --- The inspection commands walk a DAG as cheaply as build() schedules it (issue 12, finding 10) ----------------

FAN = """
import luigi

from toy_pipeline.tasks import Base


class Leaf(Base):
    i = luigi.IntParameter()

    def run(self):
        self.dump(self.i)


class Fan(Base):
    n = luigi.IntParameter(default=2)

    def requires(self):
        return [Leaf(i=k) for k in range(self.n)]

    def run(self):
        self.dump(len(self.load()))
"""


@pytest.fixture
def fan_project(ran_project: Path) -> Path:
    """The toy project plus ``toy_pipeline.Fan``: one task requiring ``--n`` leaves."""
    (ran_project / "toy_pipeline" / "fan.py").write_text(FAN, encoding="utf-8")
    with (ran_project / "toy_pipeline" / "__init__.py").open("a", encoding="utf-8") as init:
        init.write("from toy_pipeline.fan import Fan, Leaf  # noqa: F401\n")
    return ran_project


def config_reads(command: str, project: Path, leaves: int) -> int:
    """How often the configuration is read while ``kart COMMAND toy_pipeline.Fan --n=LEAVES`` runs."""
    with counting_config_reads() as reads:
        result = kart(command, "toy_pipeline.Fan", f"--n={leaves}", cwd=project)
    assert result.exit_code == 0, result.stderr
    return reads()


@pytest.mark.parametrize("command", ["tree", "show", "clean"])
def test_config_reads_do_not_grow_with_the_dag(fan_project: Path, command: str) -> None:
    """Each class's parameter defaults are read once per command, as build() does, not at every instantiation.

    Before, 45 more leaves cost ~7,000 more config reads (14 s instead of 0.7 s on a 5,000-task DAG).
    """
    small, large = config_reads(command, fan_project, 5), config_reads(command, fan_project, 50)
    assert large - small < 45, (small, large)
