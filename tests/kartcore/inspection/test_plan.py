"""The plan of a DAG (kartcore/inspection/plan.py, plan_render.py): what the next run does to each task, and why."""

from __future__ import annotations

import json
import time
from pathlib import Path

import luigi

import kartcore
from kartcore.inspection import plan as plan_module
from kartcore.inspection.plan import make_plan
from kartcore.inspection.plan_render import render_plan
from kartcore.task import fingerprint, records
from tests.staleness_pipeline import PipelineFile


def actions(pipeline: PipelineFile, plan: plan_module.Plan) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Bare class name -> (action, reasons)."""
    prefix = f"{pipeline.name}."
    return {p.family.removeprefix(prefix): (p.action, p.reasons) for p in plan.tasks.values()}


def label(pipeline: PipelineFile, name: str) -> str:
    task = getattr(pipeline.module, name)()
    return f"{task.get_task_family()}[{task.make_unique_id()}]"


def test_before_any_run_every_task_runs_for_lack_of_output(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    plan = make_plan(pipeline.module.Report())
    assert {name: found[0] for name, found in actions(pipeline, plan).items()} == dict.fromkeys(
        ("Load", "Double", "Total", "Side", "Report"), "run"
    )
    assert set(actions(pipeline, plan).values()) == {("run", ("no output",))}
    assert next(iter(actions(pipeline, plan))) == "Load"  # upstream first
    assert plan.summary() == "5 tasks: 5 run, 0 stale, 0 cached, 0 unknown"


def test_a_changed_task_and_everything_downstream_are_stale_nothing_else(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    assert {found[0] for found in actions(pipeline, make_plan(pipeline.module.Report())).values()} == {"cached"}
    module = pipeline.edit("x * 2", "x + x")
    plan = make_plan(module.Report())
    assert actions(pipeline, plan) == {
        "Load": ("cached", ()),
        "Double": ("stale", (f"code of {pipeline.name}.Double changed",)),
        "Total": ("stale", (f"upstream {label(pipeline, 'Double')} is stale",)),
        "Side": ("cached", ()),
        "Report": ("stale", (f"upstream {label(pipeline, 'Total')} is stale",)),
    }
    assert plan.summary() == (
        "5 tasks: 0 run, 3 stale, 2 cached, 0 unknown; the stale tasks run again only with --rerun-stale"
    )
    assert not any(planned.runs for planned in plan.tasks.values())  # a plain run runs nothing


def test_a_rewritten_input_makes_its_consumers_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    kartcore.build(pipeline.module.Load(rerun=True))
    found = actions(pipeline, make_plan(pipeline.module.Report()))
    assert found["Load"] == ("cached", ())
    assert found["Double"][0] == found["Side"][0] == "stale"
    assert found["Double"][1][0].startswith("input resources/") and found["Double"][1][0].endswith(" rewritten")
    assert found["Total"][0] == found["Report"][0] == "stale"


def test_rerun_true_runs_only_that_task_in_a_plain_run(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    plan = make_plan(pipeline.module.Report(rerun=True))
    found = actions(pipeline, plan)
    assert found["Report"] == ("run", ("rerun=True",))
    assert {found[name][0] for name in ("Load", "Double", "Total", "Side")} == {"cached"}


def test_a_task_without_run_runs_when_an_upstream_runs_and_a_missing_output_below_a_complete_task_is_not_needed(
    tmp_path: Path,
) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    Path(pipeline.module.Report().output().path()).unlink()
    Path(pipeline.module.Load().output().path()).unlink()
    found = actions(pipeline, make_plan(pipeline.module.Gather()))
    assert found["Gather"] == ("run", ("an upstream runs",))
    assert found["Report"] == ("run", ("no output",))
    assert found["Total"] == found["Side"] == ("cached", ())
    assert found["Load"][0] == "cached" and found["Load"][1][0].startswith("no output, but nothing that runs needs it")


def test_with_rerun_stale_a_complete_task_whose_upstream_runs_runs_too(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    Path(pipeline.module.Load().output().path()).unlink()
    module = pipeline.edit("x * 2", "x + x")
    plain = actions(pipeline, make_plan(module.Report()))
    assert plain["Load"][0] == "cached" and plain["Side"] == ("cached", ())
    again = make_plan(module.Report(), rerun_stale=True)
    found = actions(pipeline, again)
    assert found["Load"] == ("run", ("no output",))
    assert found["Side"] == ("run", ("an upstream runs",))
    assert [found[name][0] for name in ("Double", "Total", "Report")] == ["stale"] * 3
    assert again.summary().endswith("rerun_stale is on: the stale tasks run again")
    assert [type(task).__name__ for task in again.rerun_again()] == ["Double", "Total", "Side", "Report"]


def test_unknown_fingerprints_are_reported_and_never_called_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    path = Path(records.record_target(pipeline.module.Double(), records.RUN_RECORD, ".json").path())
    record = json.loads(path.read_text())
    path.write_text(json.dumps({key: value for key, value in record.items() if key != "fingerprints"}))
    plan = make_plan(pipeline.module.Report(), rerun_stale=True)
    found = actions(pipeline, plan)
    assert found["Double"] == ("unknown", ("no fingerprint in its run record (written by an older kartcore)",))
    assert {found[name][0] for name in ("Load", "Total", "Side", "Report")} == {"cached"}
    assert plan.rerun_again() == []
    assert plan.summary() == "5 tasks: 0 run, 0 stale, 4 cached, 1 unknown"


def test_a_class_whose_source_cannot_be_read_is_unknown(tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__main__", "kartcore": kartcore, "luigi": luigi}
    exec(
        "class CellTask(kartcore.TaskOnKart):\n    task_namespace = 'plan_cell'\n"
        "    def run(self):\n        self.dump(1)\n",
        namespace,
    )
    cell = namespace["CellTask"]
    kartcore.build(cell())  # type: ignore[operator]
    (planned,) = make_plan(cell()).tasks.values()  # type: ignore[operator]
    assert planned.action == "unknown"
    assert planned.reasons[0].startswith("fingerprint unknown: the source of __main__.CellTask cannot be read")


def test_text_markdown_and_json_say_the_same(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    module = pipeline.edit("x * 2", "x + x")
    plan = make_plan(module.Report())
    text = render_plan(plan, "text").splitlines()
    assert text[1].split() == ["stale", label(pipeline, "Double"), "code", "of", f"{pipeline.name}.Double", "changed"]
    assert text[-1] == plan.summary()
    markdown = render_plan(plan, "markdown")
    assert f"| `{label(pipeline, 'Double')}` | stale | code of {pipeline.name}.Double changed |" in markdown
    data = json.loads(render_plan(plan, "json"))
    assert data["counts"] == {"run": 0, "stale": 3, "cached": 2, "unknown": 0}
    assert data["root"] == label(pipeline, "Report") and data["rerun_stale"] is False
    assert [task["action"] for task in data["tasks"]] == ["cached", "stale", "stale", "cached", "stale"]
    assert data["tasks"][2]["requires"] == [label(pipeline, "Double")]


class Leaf(kartcore.TaskOnKart):
    task_namespace = "plan_scale"
    i = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.i)


class FanIn(kartcore.TaskOnKart):
    task_namespace = "plan_scale"
    n = luigi.IntParameter()

    def requires(self) -> list[Leaf]:
        return [Leaf(i=k) for k in range(self.n)]

    def run(self) -> None:
        self.dump(len(self.load()))


def test_the_plan_reads_each_record_once_and_hashes_each_class_once_so_it_scales_linearly(
    monkeypatch: object,
) -> None:
    for n in (1000, 125):
        kartcore.build(FanIn(n=n), return_value=False)
    judged: list[str] = []
    hashed: list[type] = []
    real_verdict, real_fingerprint = plan_module.verdict, fingerprint._fingerprint
    monkeypatch.setattr(plan_module, "verdict", lambda task: judged.append(task.task_id) or real_verdict(task))  # type: ignore[attr-defined]
    monkeypatch.setattr(fingerprint, "_fingerprint", lambda cls: hashed.append(cls) or real_fingerprint(cls))  # type: ignore[attr-defined]
    fingerprint._cache.clear()
    seconds = {}
    for n in (125, 1000):
        judged.clear()
        started = time.perf_counter()
        plan = make_plan(FanIn(n=n))
        seconds[n] = time.perf_counter() - started
        assert plan.counts()["cached"] == n + 1
        assert len(judged) == len(set(judged)) == n + 1
    assert sorted(cls.__name__ for cls in hashed) == ["FanIn", "Leaf"]
    assert seconds[1000] / seconds[125] < 8 * 3  # linear would be 8; quadratic 64 (no absolute time)


def test_in_a_plain_run_a_complete_task_whose_input_gets_rewritten_is_named_as_stale_afterwards(
    tmp_path: Path,
) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    for name in ("Report", "Side", "Load"):
        Path(getattr(pipeline.module, name)().output().path()).unlink()
    found = actions(pipeline, make_plan(pipeline.module.Report()))
    assert found["Load"] == found["Side"] == found["Report"] == ("run", ("no output",))
    assert found["Total"] == ("cached", ())
    assert found["Double"] == (
        "cached",
        ("an upstream runs and rewrites its input: stale after this run (use --rerun-stale)",),
    )
    again = actions(pipeline, make_plan(pipeline.module.Report(), rerun_stale=True))
    assert again["Double"] == again["Total"] == ("run", ("an upstream runs",))


GOKART_OR_KARTCORE = """
import importlib
import os

kart = importlib.import_module(os.environ.get("KART_LIBRARY", "kartcore"))


class Numbers(kart.TaskOnKart):
    task_namespace = "plan_gokart"

    def run(self):
        self.dump([1, 2, 3])


class Sum(kart.TaskOnKart):
    task_namespace = "plan_gokart"

    def requires(self):
        return Numbers()

    def run(self):
        self.dump(sum(self.load()))
"""


def test_a_workspace_written_by_gokart_is_unknown_never_stale(tmp_path: Path) -> None:
    import importlib
    import os
    import subprocess
    import sys

    (tmp_path / "gokart_or_kartcore.py").write_text(GOKART_OR_KARTCORE, encoding="utf-8")
    script = "import gokart, gokart_or_kartcore as m; gokart.build(m.Sum(), reset_register=False)"
    env = {**os.environ, "KART_LIBRARY": "gokart", "PYTHONPATH": str(tmp_path)}
    built = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert not (tmp_path / "resources" / "log" / "run_record").exists()  # gokart writes its five pickles only
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("gokart_or_kartcore")
        plan = make_plan(module.Sum(), rerun_stale=True)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("gokart_or_kartcore", None)
    assert {p.action for p in plan.tasks.values()} == {"unknown"}
    assert {p.reasons for p in plan.tasks.values()} == {
        ("no fingerprint: no JSON run record (written by gokart, or records were off)",)
    }
    assert plan.rerun_again() == [] and plan.summary() == "2 tasks: 0 run, 0 stale, 0 cached, 2 unknown"
