"""The DAG renderers: one view per task, text/mermaid/dot syntax, and the HTML page's layout and content."""

from __future__ import annotations

import itertools
import re
import uuid
from pathlib import Path

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.inspection.html import NODE_HEIGHT, NODE_WIDTH, layers_of, layout
from kartcore.inspection.render import render
from kartcore.inspection.tree import walk_dag
from kartcore.inspection.view import COMPLETE, PENDING, describe
from kartcore.io.storage import display_path


class Source(kartcore.TaskOnKart):
    label_text = luigi.Parameter(default='say "hi" <b> & #1')

    def run(self) -> None:
        self.dump(1)


class Middle(kartcore.TaskOnKart):
    source = kartcore.TaskInstanceParameter()
    number = luigi.IntParameter(default=1)

    def run(self) -> None:
        self.dump(2)


class Sink(kartcore.TaskOnKart):
    def requires(self):
        return {"a": Middle(source=Source()), "b": Middle(source=Source(), number=2), "c": Source()}

    def output(self):
        return {"x": self.make_target("sink/x.json"), "y": self.make_target("sink/y.txt")}

    def run(self) -> None:
        self.dump({}, "x")
        self.dump("y", "y")


class Gather(kartcore.TaskOnKart):  # no run(): an endpoint, complete when its requirements are
    def requires(self):
        return [Source()]


class Plain(luigi.Task):  # a plain luigi task in a kart DAG
    def output(self):
        return luigi.LocalTarget("plain.txt")


class UsesPlain(kartcore.TaskOnKart):
    def requires(self):
        return Plain()


def test_walk_visits_each_task_once_root_first() -> None:
    dag = walk_dag(Sink())
    names = [type(task).__name__ for task in dag.tasks.values()]
    assert names == ["Sink", "Middle", "Source", "Middle"]
    root = dag.root.task_id
    assert len(dag.requires[root]) == 3
    order = dag.upstream_first()
    assert order[-1] == root and order[0] == Source().task_id
    assert sorted(dag.dependents()[Source().task_id]) == sorted([*dag.requires[root][:2], root])


def test_describe_states_ids_outputs_params_and_time() -> None:
    kartcore.build(Source())
    views = describe(walk_dag(Sink()))
    source = views[Source().task_id]
    assert source.state == COMPLETE
    assert source.unique_id == Source().make_unique_id()
    assert source.outputs == (f"resources/tests/kartcore/inspection/test_render/Source_{source.unique_id}.pkl",)
    assert isinstance(source.processing_time, float)
    sink = views[Sink().task_id]
    assert sink.state == PENDING and sink.processing_time is None
    assert [path.split("/")[-1].split("_")[0] for path in sink.outputs] == ["x", "y"]
    middle = [view for view in views.values() if view.family == "Middle"]
    assert {view.params["number"] for view in middle} == {"1", "2"}
    assert all(view.params["source"] == f"Source-{source.unique_id}" for view in middle)


def test_an_endpoint_is_complete_when_its_requirements_are() -> None:
    views = describe(walk_dag(Gather()))
    assert views[Gather().task_id].state == PENDING and views[Gather().task_id].outputs == ()
    kartcore.build(Source())
    assert describe(walk_dag(Gather()))[Gather().task_id].state == COMPLETE


def test_a_plain_luigi_task_is_shown_with_its_target() -> None:
    views = describe(walk_dag(UsesPlain()))
    plain = views[Plain().task_id]
    assert plain.outputs == ("plain.txt",) and plain.state == PENDING and plain.unique_id == Plain().task_id


def test_text_marks_repeated_subtrees() -> None:
    text = render(Sink(), "text")
    lines = text.splitlines()
    assert lines[0].startswith("└─-(PENDING) Sink[")
    assert lines[0].endswith(".json, resources/sink/y_" + Sink().make_unique_id() + ".txt")
    assert sum("(PENDING) Middle[" in line for line in lines) == 2
    assert lines[-1] == "4 tasks: 0 complete, 4 pending"


def test_mermaid_escapes_labels_and_colours_states() -> None:
    text = render(Sink(), "mermaid")
    assert text.startswith("flowchart TD\n")
    assert re.findall(r"^    (n\d+) --> (n\d+)$", text, re.M) == [
        ("n1", "n0"),
        ("n3", "n0"),
        ("n2", "n0"),
        ("n2", "n1"),
        ("n2", "n3"),
    ]
    assert "classDef pending fill:#ffcc80" in text
    for line in text.splitlines()[1:5]:
        label = line.split('["', 1)[1].rsplit('"]', 1)[0]
        assert not set('"<>#') & set(label.replace("<br/>", "")), label


def test_mermaid_labels_replace_what_the_syntax_would_take() -> None:
    class Odd(kartcore.TaskOnKart):
        def output(self):
            return self.make_target('odd "name" #1;<b>.pkl')

        def run(self) -> None:
            self.dump(1)

    label = render(Odd(), "mermaid").splitlines()[1]
    assert "odd \uff02name\uff02 \uff031;\u2039b\u203a_" in label


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's use of old pyparsing names
def test_dot_is_valid_and_keeps_the_parameters_in_tooltips() -> None:
    pydot = pytest.importorskip("pydot", reason="pydot parses the DOT output (in the dev extra)")
    text = render(Sink(), "dot")
    (graph,) = pydot.graph_from_dot_data(text)
    nodes = {node.get_name(): node for node in graph.get_nodes() if re.fullmatch(r"n\d+", node.get_name())}
    assert len(nodes) == 4 and len(graph.get_edges()) == 5
    source = next(node for node in nodes.values() if node.get_label().startswith('"Source'))
    assert 'label_text = say \\"hi\\" <b> & #1' in source.get_tooltip()
    assert source.get_fillcolor() == '"#ffcc80"'


def test_layers_put_requirements_above_and_cross_layer_edges_get_placeholders() -> None:
    dag = walk_dag(Sink())
    views = describe(dag)
    layers, chains = layers_of(dag, views)
    real = [[item for item in layer if item in views] for layer in layers]
    assert [[views[t].family for t in layer] for layer in real] == [["Source"], ["Middle", "Middle"], ["Sink"]]
    long = [chain for chain in chains if len(chain) == 3]
    assert len(long) == 1 and long[0][0] == Source().task_id and long[0][-1] == Sink().task_id


def test_layout_boxes_do_not_overlap_and_fit_the_drawing() -> None:
    class Wide(kartcore.TaskOnKart):
        def requires(self):
            return [Middle(source=Source(), number=n) for n in range(7)]

    dag = walk_dag(Wide())
    drawing = layout(dag, describe(dag))
    boxes = list(drawing.boxes.values())
    assert len(boxes) == 9
    for (x1, y1), (x2, y2) in itertools.combinations(boxes, 2):
        assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= NODE_HEIGHT
    assert all(
        x >= 0 and y >= 0 and x + NODE_WIDTH <= drawing.width and y + NODE_HEIGHT <= drawing.height for x, y in boxes
    )
    assert len(drawing.routes) == 14


def test_html_is_one_self_contained_page() -> None:
    kartcore.build(Source())
    page = render(Sink(), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<svg" in page and page.count('<g class="node ') == 4
    assert page.count('<g class="node complete"') == 1
    assert page.count('class="edge"') == 5
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page), "no external resources"
    assert "@import" not in page and "url(http" not in page
    assert "label_text = say &quot;hi&quot; &lt;b&gt; &amp; #1" in page, "parameters escaped in the tooltip"
    assert "<b>" not in page.split("<body>", 1)[1]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="choose one of text, mermaid, dot, html"):
        render(Source(), "png")


def test_an_unreadable_record_shows_an_unknown_time(workspace: Path) -> None:
    kartcore.build(Source())
    record = workspace / "log" / "processing_time" / f"Source_{Source().make_unique_id()}.pkl"
    record.write_bytes(b"not a pickle")  # and no JSON run record, which would be read first:
    (workspace / "log" / "run_record" / f"Source_{Source().make_unique_id()}.json").unlink(missing_ok=True)
    view = describe(walk_dag(Source()))[Source().task_id]
    assert view.state == COMPLETE and view.processing_time is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("./resources//x/../y.pkl", "resources/y.pkl"),
        ("s3://bucket/prefix/y.pkl", "s3://bucket/prefix/y.pkl"),
        ("gs://bucket//y.pkl", "gs://bucket//y.pkl"),
        ("file:///tmp/y.pkl", "file:///tmp/y.pkl"),
    ],
)
def test_display_path_tidies_local_paths_only(path: str, expected: str) -> None:
    assert display_path(path) == expected


def test_remote_output_paths_keep_their_scheme() -> None:
    import fsspec

    workspace = f"memory://kart-tree-{uuid.uuid4().hex[:8]}/ws"
    luigi.configuration.get_config().set("TaskOnKart", "workspace_directory", workspace)
    try:
        kartcore.build(Source())
        view = describe(walk_dag(Source()))[Source().task_id]
        assert view.state == COMPLETE
        assert view.outputs == (f"{workspace}/tests/kartcore/inspection/test_render/Source_{view.unique_id}.pkl",)
        assert f"  {workspace}/tests/kartcore/inspection/test_render/Source_" in render(Source())
    finally:
        fsspec.filesystem("memory").rm(workspace, recursive=True)
