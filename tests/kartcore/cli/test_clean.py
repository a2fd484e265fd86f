"""``kart clean``: only what the DAG does not need goes, with the default relative workspace ``./resources/``.

gokart's cleaner compares the paths tasks produce (``./resources/x.pkl``) with the paths it walks
(``resources/x.pkl``) and so deletes needed outputs in exactly this, the default, setup.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import luigi.configuration
import pytest
from luigi.task_register import Register

import kartcore
from kartcore.cli.tasks import inside_project
from tests.conftest import files_under
from tests.kartcore.cli.conftest import kart, run_main, write_project

RECORD_KINDS = ("module_versions", "processing_time", "random_seed", "task_log", "task_params")


def test_dry_run_lists_only_what_the_dag_does_not_need(ran_project: Path) -> None:
    workspace = ran_project / "resources"
    before = files_under(workspace)
    tree = kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout
    result = kart("clean", "toy_pipeline.Report", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    assert files_under(workspace) == before, "a dry run removes nothing"
    listed = [line[2:] for line in result.stdout.splitlines() if line.startswith("  ")]
    # The ratio=0.3 run wrote its own Split, Train and Report (Load is shared): 3 outputs and 3 x 5 records.
    assert len(listed) == 18
    assert result.stdout.startswith("would remove 18 files (")
    assert "from resources/:" in result.stdout
    assert result.stdout.rstrip().endswith("keeping 24 files. Run again with --no-dry-run to remove them.")
    for path in listed:
        assert path.startswith("resources/")
        unique_id = Path(path).stem.rsplit("_", 1)[1]
        assert unique_id not in tree, f"{path} belongs to a task of the DAG"


def test_clean_keeps_every_output_and_record_of_the_dag(ran_project: Path) -> None:
    workspace = ran_project / "resources"
    (workspace / "toy_pipeline" / "tasks" / ".Load_x.pkl.kart-tmp-123-abc").write_bytes(b"half")
    (workspace / "old_task").mkdir()
    (workspace / "old_task" / "Gone_0123.pkl").write_bytes(b"x")
    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"^removed 20 files \([\d.]+ (B|KiB)\); kept 24$", result.stdout, re.M)
    assert not (workspace / "old_task").exists(), "directories left empty are removed"
    remaining = files_under(workspace)
    assert len(remaining) == 24
    assert not any("kart-tmp" in path for path in remaining)
    # Everything the DAG needs is still there: the tree shows every task complete ...
    assert kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout.splitlines()[-1] == (
        "4 tasks: 4 complete, 0 pending"
    )
    # ... with all five records each ...
    for kind in RECORD_KINDS:
        assert len(os.listdir(workspace / "log" / kind)) == 4, kind
    # ... and main.py has nothing to run.
    mtimes = {path: (workspace / path).stat().st_mtime_ns for path in remaining}
    run_main(ran_project, "toy_pipeline.Report")
    assert {path: (workspace / path).stat().st_mtime_ns for path in files_under(workspace)} == mtimes, (
        "the build after cleaning found everything complete and wrote nothing"
    )
    again = kart("clean", "toy_pipeline.Report", cwd=ran_project)
    assert again.stdout == "nothing to clean: all 24 files in resources/ are needed\n"


def test_clean_with_other_parameters_keeps_that_dag(ran_project: Path) -> None:
    result = kart("clean", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.3", "--no-dry-run", cwd=ran_project)
    assert "removed 18 files" in result.stdout
    tree = kart("tree", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.3", cwd=ran_project).stdout
    assert tree.splitlines()[-1] == "4 tasks: 4 complete, 0 pending"
    default = kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout
    assert default.splitlines()[-1] == "4 tasks: 1 complete, 3 pending"


def test_clean_from_a_subdirectory_uses_the_project_root(ran_project: Path) -> None:
    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=ran_project / "conf")
    assert "removed 18 files" in result.stdout
    assert not (ran_project / "conf" / "resources").exists()
    assert len(files_under(ran_project / "resources")) == 24


def test_clean_refuses_a_workspace_that_contains_the_project(ran_project: Path) -> None:
    before = files_under(ran_project)
    result = kart("clean", "toy_pipeline.Report", "--workspace-directory=./", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 2
    assert "contains the project" in result.stderr
    assert files_under(ran_project) == before


@pytest.fixture
def memory_store() -> Iterator[str]:
    """``memory://<fresh name>``: an object store without a server (in-process, so ``kart`` sees it), emptied after."""
    import fsspec

    store = f"memory://kart-clean-cli-{uuid.uuid4().hex[:8]}"
    yield store
    fs = fsspec.filesystem("memory")
    if fs.exists(store):
        fs.rm(store, recursive=True)


def objects_in(store: str) -> list[str]:
    import fsspec

    return sorted(fsspec.filesystem("memory").find(store.removeprefix("memory:/")))


def test_clean_a_workspace_in_an_object_store(tmp_path: Path, memory_store: str) -> None:
    import fsspec

    workspace = f"{memory_store}/ws"
    project = write_project(tmp_path / "toy-pipeline")
    param_ini = project / "conf" / "param.ini"
    param_ini.write_text(param_ini.read_text().replace("./resources/", workspace + "/"), encoding="utf-8")
    with inside_project(project):
        kartcore.build(Register.get_task_cls("toy_pipeline.Report")())
    luigi.configuration.get_config().remove_section("TaskOnKart")  # the commands must read conf/param.ini
    stale = [f"{workspace}/log/task_params/Gone_0123.pkl", f"{workspace}/toy_pipeline/tasks/Load_0123.pkl"]
    fsspec.filesystem("memory").pipe({path: b"stale" for path in [*stale, f"{memory_store}/other/keep.pkl"]})
    before = objects_in(memory_store)
    assert len(before) == 24 + 3

    result = kart("clean", "toy_pipeline.Report", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"would remove 2 files (10 B) from {workspace}/:\n"
        + "".join(f"  {path}\n" for path in stale)
        + "keeping 24 files. Run again with --no-dry-run to remove them.\n"
    )
    assert objects_in(memory_store) == before, "a dry run removes nothing"

    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "".join(f"removed {path}\n" for path in stale) + "removed 2 files (10 B); kept 24\n"
    remaining = objects_in(memory_store)
    assert sorted(set(before) - set(remaining)) == [path.removeprefix("memory:/") for path in stale]
    again = kart("clean", "toy_pipeline.Report", cwd=project)
    assert again.stdout == f"nothing to clean: all 24 files in {workspace}/ are needed\n"
    tree = kart("tree", "toy_pipeline.Report", cwd=project)
    assert tree.stdout.splitlines()[-1] == "4 tasks: 4 complete, 0 pending"


def test_a_refused_listing_removes_nothing_anywhere(
    ran_project: Path, memory_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Report's workspace is in the store (refused), the others' is ./resources/: its stale files stay too."""
    import fsspec.implementations.memory as memory

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    before = files_under(ran_project)
    workspace = f"{memory_store}/ws"
    with monkeypatch.context() as patch:
        patch.setattr(memory.MemoryFileSystem, "find", refuse)
        result = kart(
            "clean", "toy_pipeline.Report", f"--workspace-directory={workspace}", "--no-dry-run", cwd=ran_project
        )
    assert result.exit_code == 2
    assert f"cannot list {workspace} recursively: PermissionError: Access Denied." in result.stderr
    assert result.stdout == ""
    assert files_under(ran_project) == before
