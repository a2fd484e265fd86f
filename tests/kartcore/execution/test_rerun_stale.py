"""``rerun_stale`` (kartcore/execution/staleness.py): build(), [TaskOnKart] and ``python main.py --rerun-stale``
run exactly the stale tasks again, into the same files, in dependency order; a plain run is unchanged."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import luigi

import kartcore
from kartcore.inspection.plan import make_plan
from tests.staleness_pipeline import TASKS, PipelineFile


def outputs(module: object) -> dict[str, tuple[int, bytes]]:
    """Task name -> (mtime_ns, bytes) of its output."""
    found = {}
    for name in TASKS:
        path = Path(getattr(module, name)().output().path())
        found[name] = (path.stat().st_mtime_ns, path.read_bytes())
    return found


def rewritten(before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]) -> set[str]:
    return {name for name in before if before[name][0] != after[name][0]}


def built_and_edited(tmp_path: Path) -> tuple[PipelineFile, dict[str, tuple[int, bytes]]]:
    """The pipeline built, then Double's run() changed to triple (so Total and Report change value too)."""
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    before = outputs(pipeline.module)
    time.sleep(0.01)  # file times must be able to differ
    pipeline.edit("x * 2", "x * 3")
    return pipeline, before


def test_a_plain_build_leaves_stale_outputs_as_they_are(tmp_path: Path) -> None:
    pipeline, before = built_and_edited(tmp_path)
    assert kartcore.build(pipeline.module.Report()) == {"total": 12, "side": 3}
    assert outputs(pipeline.module) == before


def test_build_rerun_stale_rewrites_exactly_the_stale_outputs_then_nothing_is_stale(tmp_path: Path) -> None:
    pipeline, before = built_and_edited(tmp_path)
    ran: list[str] = []
    handler = pipeline.module.Base.event_handler(luigi.Event.SUCCESS)(lambda task: ran.append(type(task).__name__))
    assert handler is not None
    assert kartcore.build(pipeline.module.Report(), rerun_stale=True) == {"total": 18, "side": 3}
    after = outputs(pipeline.module)
    assert rewritten(before, after) == {"Double", "Total", "Report"}
    assert ran == ["Double", "Total", "Report"]  # dependency order
    assert pickle.loads(after["Total"][1]) == 18
    assert {planned.action for planned in make_plan(pipeline.module.Report()).tasks.values()} == {"cached"}
    assert kartcore.build(pipeline.module.Report(), rerun_stale=True) == {"total": 18, "side": 3}
    assert outputs(pipeline.module) == after  # nothing stale: nothing runs


def test_the_taskonkart_key_turns_it_on_and_the_keyword_overrides_it(tmp_path: Path) -> None:
    pipeline, before = built_and_edited(tmp_path)
    config = tmp_path / "param.ini"
    config.write_text("[TaskOnKart]\nrerun_stale = true\n", encoding="utf-8")
    kartcore.add_config(str(config))
    kartcore.build(pipeline.module.Report(), rerun_stale=False)
    assert outputs(pipeline.module) == before
    assert kartcore.build(pipeline.module.Report()) == {"total": 18, "side": 3}
    assert rewritten(before, outputs(pipeline.module)) == {"Double", "Total", "Report"}


def test_with_several_workers_the_same_tasks_run_again(tmp_path: Path) -> None:
    pipeline, before = built_and_edited(tmp_path)
    assert kartcore.build(pipeline.module.Report(), rerun_stale=True, workers=2) == {"total": 18, "side": 3}
    assert rewritten(before, outputs(pipeline.module)) == {"Double", "Total", "Report"}


def test_python_main_py_rerun_stale(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    (tmp_path / "main.py").write_text(
        f"import kartcore\n\nimport {pipeline.name}  # noqa: F401\n\nif __name__ == '__main__':\n    kartcore.run()\n",
        encoding="utf-8",
    )

    def main(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(tmp_path)}
        command = [sys.executable, "main.py", pipeline.family("Report"), "--local-scheduler", *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert main().returncode == 0
    before = outputs(pipeline.module)
    time.sleep(0.01)
    pipeline.edit("x * 2", "x * 3")
    assert main().returncode == 0
    assert outputs(pipeline.module) == before
    refused = main("--rerun-stale=maybe")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1].startswith("kartcore: ")
    assert "--rerun-stale" in refused.stderr.strip().splitlines()[-1]
    assert outputs(pipeline.module) == before  # nothing ran
    done = main("--rerun-stale")
    assert done.returncode == 0, done.stderr
    assert rewritten(before, outputs(pipeline.module)) == {"Double", "Total", "Report"}


def test_on_dask_the_same_tasks_run_again_and_the_build_completes(tmp_path: Path) -> None:
    import distributed

    pipeline, before = built_and_edited(tmp_path)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert kartcore.build(pipeline.module.Report(), rerun_stale=True, dask_scheduler=address) == {
            "total": 18,
            "side": 3,
        }
        after = outputs(pipeline.module)
        assert rewritten(before, after) == {"Double", "Total", "Report"}
        time.sleep(0.01)
        kartcore.build(pipeline.module.Report(rerun=True), dask_scheduler=address)  # a rerun root completes too
    assert rewritten(after, outputs(pipeline.module)) == {"Report"}


def test_a_rewritten_upstream_reruns_the_complete_tasks_below_it_with_rerun_stale_only(tmp_path: Path) -> None:
    pipeline = PipelineFile(tmp_path)
    kartcore.build(pipeline.module.Report())
    for name in ("Report", "Side", "Load"):
        Path(getattr(pipeline.module, name)().output().path()).unlink()
    kartcore.build(pipeline.module.Report())  # a plain run: Load is rewritten under the complete Double
    stale = {
        p.family.rsplit(".", 1)[1] for p in make_plan(pipeline.module.Report()).tasks.values() if p.action == "stale"
    }
    assert stale == {"Double", "Total", "Report"}
    for name in ("Report", "Side", "Load"):
        Path(getattr(pipeline.module, name)().output().path()).unlink()
    kartcore.build(pipeline.module.Report(), rerun_stale=True)
    assert {planned.action for planned in make_plan(pipeline.module.Report()).tasks.values()} == {"cached"}
