"""``kart clean``: only what the DAG does not need goes, with the default relative workspace ``./resources/``.

gokart's cleaner compares the paths tasks produce (``./resources/x.pkl``) with the paths it walks
(``resources/x.pkl``) and so deletes needed outputs in exactly this, the default, setup.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
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

#: Old enough that no running build can still be writing it (see kartcore.io.temp_owners).
TWO_DAYS = 2 * 24 * 3600


def record_kinds(workspace: Path) -> list[str]:
    """The kinds of run record in the workspace: every task that ran has one record of each."""
    return sorted(os.listdir(workspace / "log"))


def test_dry_run_lists_only_what_the_dag_does_not_need(ran_project: Path) -> None:
    workspace = ran_project / "resources"
    before = files_under(workspace)
    tree = kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout
    result = kart("clean", "toy_pipeline.Report", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    assert files_under(workspace) == before, "a dry run removes nothing"
    listed = [line[2:] for line in result.stdout.splitlines() if line.startswith("  ")]
    # The ratio=0.3 run wrote its own Split, Train and Report (Load is shared): 3 outputs and their records.
    kinds = len(record_kinds(workspace))
    assert len(listed) == 3 + 3 * kinds
    assert result.stdout.startswith(f"would remove {3 + 3 * kinds} files (")
    assert "from resources/:" in result.stdout
    assert result.stdout.rstrip().endswith(
        f"keeping {4 + 4 * kinds} files. Run again with --no-dry-run to remove them."
    )
    for path in listed:
        assert path.startswith("resources/")
        unique_id = Path(path).stem.rsplit("_", 1)[1]
        assert unique_id not in tree, f"{path} belongs to a task of the DAG"


def test_clean_keeps_every_output_and_record_of_the_dag(ran_project: Path) -> None:
    workspace = ran_project / "resources"
    leftover = workspace / "toy_pipeline" / "tasks" / ".Load_x.pkl.kart-tmp-123-abc"  # a killed write, long ago
    leftover.write_bytes(b"half")
    os.utime(leftover, (time.time() - TWO_DAYS, time.time() - TWO_DAYS))
    (workspace / "old_task").mkdir()
    (workspace / "old_task" / "Gone_0123.pkl").write_bytes(b"x")
    kinds = record_kinds(workspace)
    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 0, result.stderr
    needed = 4 + 4 * len(kinds)
    removed = 3 + 3 * len(kinds) + 2
    assert re.search(rf"^removed {removed} files \([\d.]+ (B|KiB)\); kept {needed}$", result.stdout, re.M)
    assert not (workspace / "old_task").exists(), "directories left empty are removed"
    remaining = files_under(workspace)
    assert len(remaining) == needed
    assert not any("kart-tmp" in path for path in remaining)
    # Everything the DAG needs is still there: the tree shows every task complete ...
    assert kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout.splitlines()[-1] == (
        "4 tasks: 4 complete, 0 pending"
    )
    # ... with every record each ...
    for kind in kinds:
        assert len(os.listdir(workspace / "log" / kind)) == 4, kind
    # ... and main.py has nothing to run.
    mtimes = {path: (workspace / path).stat().st_mtime_ns for path in remaining}
    run_main(ran_project, "toy_pipeline.Report")
    assert {path: (workspace / path).stat().st_mtime_ns for path in files_under(workspace)} == mtimes, (
        "the build after cleaning found everything complete and wrote nothing"
    )
    again = kart("clean", "toy_pipeline.Report", cwd=ran_project)
    assert again.stdout == f"nothing to clean: all {needed} files in resources/ are needed\n"


def test_clean_with_other_parameters_keeps_that_dag(ran_project: Path) -> None:
    stale = 3 + 3 * len(record_kinds(ran_project / "resources"))
    result = kart("clean", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.3", "--no-dry-run", cwd=ran_project)
    assert f"removed {stale} files" in result.stdout
    tree = kart("tree", "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.3", cwd=ran_project).stdout
    assert tree.splitlines()[-1] == "4 tasks: 4 complete, 0 pending"
    default = kart("tree", "toy_pipeline.Report", cwd=ran_project).stdout
    assert default.splitlines()[-1] == "4 tasks: 1 complete, 3 pending"


def test_clean_from_a_subdirectory_uses_the_project_root(ran_project: Path) -> None:
    kinds = len(record_kinds(ran_project / "resources"))
    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=ran_project / "conf")
    assert f"removed {3 + 3 * kinds} files" in result.stdout
    assert not (ran_project / "conf" / "resources").exists()
    assert len(files_under(ran_project / "resources")) == 4 + 4 * kinds


def test_clean_refuses_a_workspace_that_contains_the_project(ran_project: Path) -> None:
    before = files_under(ran_project)
    result = kart("clean", "toy_pipeline.Report", "--workspace-directory=./", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 2
    assert "contains the project" in result.stderr
    assert files_under(ran_project) == before


def test_clean_refuses_a_workspace_spelled_through_a_symlink_to_the_project(ran_project: Path, tmp_path: Path) -> None:
    """On macOS anything under the temp directory is spelled through a symlink (/var -> /private/var)."""
    (tmp_path / "alias").symlink_to(ran_project, target_is_directory=True)
    before = files_under(ran_project)
    result = kart(
        "clean", "toy_pipeline.Report", f"--workspace-directory={tmp_path / 'alias'}/", "--no-dry-run", cwd=ran_project
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"kart: workspace {ran_project} contains the project {ran_project}; cleaning it would delete the project's "
        "files\n"
    )
    assert result.stdout == ""
    assert files_under(ran_project) == before


def test_clean_refuses_a_workspace_that_contains_the_home_directory(
    ran_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users"
    (users / "me").mkdir(parents=True)
    (users / "me" / "thesis.tex").write_text("years of work")
    (users / "log" / "task_params").mkdir(parents=True)  # a kartcore workspace once, say
    home = users / "me"
    monkeypatch.setenv("HOME", str(home))
    result = kart("clean", "toy_pipeline.Report", f"--workspace-directory={users}", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 2
    assert result.stderr == f"kart: workspace {users} contains your home directory {home}; refusing to clean it\n"
    assert (users / "me" / "thesis.tex").read_text() == "years of work"


def test_clean_refuses_a_directory_that_is_not_a_kartcore_workspace(ran_project: Path, tmp_path: Path) -> None:
    """A mistyped workspace_directory (here a data directory with a log/ of its own, like /var)."""
    data = tmp_path / "data"
    (data / "log").mkdir(parents=True)
    (data / "log" / "syslog").write_text("x")
    (data / "table.csv").write_text("a,b\n")
    result = kart("clean", "toy_pipeline.Report", f"--workspace-directory={data}", "--no-dry-run", cwd=ran_project)
    assert result.exit_code == 2
    assert result.stderr == (
        f"kart: workspace {data} holds files but no kartcore run records (log/task_params/): it does not look like "
        "a kartcore workspace; refusing to clean it (check workspace_directory)\n"
    )
    assert files_under(data) == ["log/syslog", "table.csv"]


def test_clean_keeps_the_checksums_verify_outputs_checks_against(project: Path) -> None:
    param_ini = project / "conf" / "param.ini"
    param_ini.write_text(param_ini.read_text().replace("[TaskOnKart]\n", "[TaskOnKart]\nverify_outputs = true\n"))
    run_main(project, "toy_pipeline.Report")
    run_main(project, "toy_pipeline.Report", "--toy-pipeline.Split-ratio=0.3")
    checksums = project / "resources" / "log" / "checksum"
    assert len(os.listdir(checksums)) == 7
    tree = kart("tree", "toy_pipeline.Report", cwd=project).stdout
    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=project)
    assert result.exit_code == 0, result.stderr
    kept = sorted(os.listdir(checksums))
    assert len(kept) == 4
    assert all(Path(name).stem.rsplit("_", 1)[1] in tree for name in kept), "the DAG's own checksum records"


HOLD = textwrap.dedent(
    """
    import os
    import pathlib
    import time

    from toy_pipeline.tasks import Base


    class Hold(Base):
        \"\"\"Stages its output, then waits for the test's signal before run() returns (and publishes it).\"\"\"

        def run(self):
            self.dump("staged")
            signals = pathlib.Path(os.environ["KART_TEST_SIGNALS"])
            (signals / "staged").touch()
            for _ in range(2400):
                if (signals / "go").exists():
                    break
                time.sleep(0.05)
    """
)


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    for _ in range(2400):
        if path.exists():
            return
        if process.poll() is not None:
            pytest.fail(f"the build ended before staging its output: {process.communicate()[1]}")
        time.sleep(0.05)
    pytest.fail(f"the build never staged its output ({path} missing)")


def test_clean_leaves_the_temp_files_of_a_running_build_alone(ran_project: Path, tmp_path: Path) -> None:
    (ran_project / "toy_pipeline" / "hold.py").write_text(HOLD, encoding="utf-8")
    with (ran_project / "toy_pipeline" / "__init__.py").open("a", encoding="utf-8") as init:
        init.write("from toy_pipeline.hold import Hold  # noqa: F401\n")
    signals = tmp_path / "signals"
    signals.mkdir()
    build = subprocess.Popen(
        [sys.executable, "main.py", "toy_pipeline.Hold", "--local-scheduler"],
        cwd=ran_project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": "", "KART_TEST_SIGNALS": str(signals)},
    )
    try:
        _wait_for(signals / "staged", build)
        staged = sorted(path for path in (ran_project / "resources").rglob("*") if "kart-tmp" in path.name)
        assert any(path.parent.name == "hold" and path.name.startswith(".Hold_") for path in staged), "the output"
        result = kart("clean", "toy_pipeline.Hold", "--no-dry-run", cwd=ran_project)
        assert result.exit_code == 0, result.stderr
        assert all(path.exists() for path in staged), "the running build's staged output was deleted"
        shown = "".join(f"  {path.relative_to(ran_project)}\n" for path in staged)
        assert result.stdout.endswith(
            f"left {len(staged)} temp files alone: a build that may still be running is writing them\n{shown}"
        )
    finally:
        (signals / "go").touch()
        _, stderr = build.communicate(timeout=120)
    assert build.returncode == 0, stderr
    assert "FileNotFoundError" not in stderr
    tree = kart("tree", "toy_pipeline.Hold", cwd=ran_project)
    assert tree.stdout.splitlines()[-1] == "1 tasks: 1 complete, 0 pending"
    assert not any("kart-tmp" in path for path in files_under(ran_project / "resources"))


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
    needed = len(before) - 3
    assert needed == 4 + 4 * len(fsspec.filesystem("memory").ls(f"{workspace}/log"))

    result = kart("clean", "toy_pipeline.Report", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"would remove 2 files (10 B) from {workspace}/:\n"
        + "".join(f"  {path}\n" for path in stale)
        + f"keeping {needed} files. Run again with --no-dry-run to remove them.\n"
    )
    assert objects_in(memory_store) == before, "a dry run removes nothing"

    result = kart("clean", "toy_pipeline.Report", "--no-dry-run", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "".join(f"removed {path}\n" for path in stale) + f"removed 2 files (10 B); kept {needed}\n"
    remaining = objects_in(memory_store)
    assert sorted(set(before) - set(remaining)) == [path.removeprefix("memory:/") for path in stale]
    again = kart("clean", "toy_pipeline.Report", cwd=project)
    assert again.stdout == f"nothing to clean: all {needed} files in {workspace}/ are needed\n"
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
