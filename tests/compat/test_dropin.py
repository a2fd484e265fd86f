"""The gokart drop-in (compat/gokart): gokart 1.12.2's module layout served by kartcore.

The fast tests import the drop-in from its source directory in a subprocess (this venv also holds the
real gokart, installed elsewhere, which the drop-in shadows). The slow test installs gokart-core and
the drop-in with pip into a fresh venv, as a user would, then installs it over a real gokart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from tests.compat.seed_projects import GOKART, QUICKSTART, code
from tests.compat.test_seeds import EXAMPLE

REPO = Path(__file__).resolve().parents[2]
DROPIN = REPO / "compat" / "gokart"

SUBMODULES = [
    "gokart.target",
    "gokart.file_processor",
    "gokart.config_params",
    "gokart.info",
    "gokart.parameter",
    "gokart.conflict_prevention_lock.task_lock",
    "gokart.gcs_config",
    "gokart.s3_config",
    "gokart.zip_client_util",
    "gokart.utils",
    "gokart.testing",
    "gokart.tree.task_info",
    "gokart.build",
    "gokart.task",
    "gokart.errors",
    "gokart.pandas_type_config",
    "gokart.worker",
    "gokart.object_storage",
    "gokart.zip_client",
    "gokart.s3_zip_client",
    "gokart.gcs_zip_client",
    "gokart.conflict_prevention_lock.task_lock_wrappers",
    "gokart.file_processor.base",
    "gokart.tree.task_info_formatter",
    "gokart.gcs_obj_metadata_client",
    "gokart.required_task_output",
]

#: Checks run in a process where ``gokart`` is the drop-in; each prints nothing but raises on failure.
CHECKS = textwrap.dedent(
    """
    import importlib, luigi, gokart, kartcore
    assert gokart.TaskOnKart is kartcore.TaskOnKart, gokart.TaskOnKart
    assert isinstance(luigi.retcodes, type(luigi)) and callable(luigi.retcodes.run_with_retcodes)
    for name in SUBMODULES:
        importlib.import_module(name)
    assert callable(gokart.build) and callable(gokart.run)
    from gokart.build import GokartBuildError
    assert GokartBuildError is kartcore.GokartBuildError
    from gokart.target import ModelTarget, SingleFileTarget, TargetOnKart, make_target
    from gokart.file_processor import CsvFileProcessor, FileProcessor, make_file_processor
    from gokart.info import make_tree_info
    from gokart.parameter import TaskInstanceParameter
    assert TaskInstanceParameter is kartcore.TaskInstanceParameter
    assert make_target("a/b.pkl", unique_id="u").path() == "a/b_u.pkl"
    for name in kartcore.__all__:
        getattr(gokart, name)

    def refused(call, *words):
        try:
            call()
        except AssertionError as error:  # what gokart raises for these
            assert all(word in str(error) for word in words), (words, str(error))
        else:
            raise SystemExit(f"no error from {call}")

    refused(lambda: make_file_processor("x.unknown"), "unsupported file extension .unknown", "register_format")
    from gokart.conflict_prevention_lock.task_lock import make_task_lock_params
    refused(lambda: make_task_lock_params("a.pkl", "u", redis_timeout=5), "lock_extend_seconds (10)", "not 5")
    from gokart.tree.task_info import dump_task_info_tree
    refused(lambda: dump_task_info_tree(gokart.TaskOnKart(), "tree.csv"), "must be .pkl", "'.csv'")
    import os
    assert not os.path.exists("resources"), "a refused call left files behind"
    options = gokart.tree_info(mode="simple", output_path="dag.txt")
    assert options.mode == "simple" and options.output().path().endswith("dag.txt")
    assert "(PENDING) TaskOnKart[" in gokart.tree_info(gokart.TaskOnKart())
    """
)

#: (statement, what the error must name) for gokart names the drop-in does not serve.
UNSERVED = [
    ("from gokart.build import HideLogs", "gokart.build.HideLogs"),
    ("from gokart.errors import HasLockedTaskException", "gokart.errors.HasLockedTaskException"),
    ("gokart.delete_local_unnecessary_outputs", "gokart.delete_local_unnecessary_outputs"),
    ("gokart.test_run", "gokart.test_run"),
]


def run_python(interpreter: str, script: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if path is not None:
        env["PYTHONPATH"] = path
    return subprocess.run(
        [interpreter, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def checks_script() -> str:
    return f"SUBMODULES = {SUBMODULES!r}\n" + CHECKS


def unserved_script(statement: str) -> str:
    return textwrap.dedent(
        f"""
        import gokart
        from gokart._dropin import NotProvidedError
        try:
            {statement}
        except NotProvidedError as error:
            assert isinstance(error, ImportError)
            print(error)
        else:
            raise SystemExit("no error")
        """
    )


def assert_unserved(interpreter: str, cwd: Path, path: str | None = None) -> None:
    for statement, name in UNSERVED:
        result = run_python(interpreter, unserved_script(statement), cwd, path)
        assert result.returncode == 0, (statement, result.stdout, result.stderr)
        assert name in result.stdout and "not provided by the kartcore drop-in" in result.stdout, result.stdout


def assert_quickstart_names(interpreter: str, cwd: Path, path: str | None = None) -> None:
    result = run_python(interpreter, code(QUICKSTART, GOKART), cwd, path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Hello, world!")
    assert (cwd / "resources" / "__main__" / f"{EXAMPLE}.pkl").is_file()


def test_dropin_from_source_serves_the_layout(tmp_path: Path) -> None:
    result = run_python(sys.executable, checks_script(), tmp_path, str(DROPIN))
    assert result.returncode == 0, result.stderr


def test_dropin_from_source_names_what_it_does_not_serve(tmp_path: Path) -> None:
    assert_unserved(sys.executable, tmp_path, str(DROPIN))


def test_dropin_from_source_writes_gokarts_file_name(tmp_path: Path) -> None:
    assert_quickstart_names(sys.executable, tmp_path, str(DROPIN))


def test_custom_text_processor_gets_a_text_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import pandas as pd
        import gokart
        from gokart.file_processor import CsvFileProcessor
        from gokart.target import make_target

        class Marked(CsvFileProcessor):
            def dump(self, obj, file):
                file.write("# marked\\n")
                obj.to_csv(file, index=False)

            def load(self, file):
                assert file.readline() == "# marked\\n"
                return pd.read_csv(file)

        target = make_target("out/frame.csv", unique_id="abc", processor=Marked())
        target.dump(pd.DataFrame({"a": [1, 2]}))
        assert target.path() == "out/frame_abc.csv"
        assert open(target.path()).read().startswith("# marked\\n")
        assert target.load()["a"].tolist() == [1, 2]
        """
    )
    result = run_python(sys.executable, script, tmp_path, str(DROPIN))
    assert result.returncode == 0, result.stderr


def test_gokart_core_does_not_ship_a_gokart_package() -> None:
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["kartcore"]
    assert not (REPO / "gokart").exists()


def pip(venv: Path, *args: str) -> None:
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_pip_installed_dropin(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    interpreter = str(venv / "bin" / "python")
    pip(venv, str(REPO))
    pip(venv, str(DROPIN))
    work = tmp_path / "work"
    work.mkdir()

    result = run_python(interpreter, checks_script(), work)
    assert result.returncode == 0, result.stderr
    # gokart depends on redis and gokart code patches the lock module's redis: the drop-in brings it along.
    patched = "import gokart.conflict_prevention_lock.task_lock as lock; print(lock.redis.Redis.__module__)"
    result = run_python(interpreter, patched, work)
    assert result.returncode == 0 and result.stdout.strip() == "redis.client", result.stderr
    assert_unserved(interpreter, work)
    assert_quickstart_names(interpreter, work)

    # Over a real gokart: the two distributions share the gokart package; import must refuse, not mix.
    subprocess.run([interpreter, "-m", "pip", "uninstall", "-y", "--quiet", "gokart-kartcore-dropin"], check=True)
    pip(venv, "--no-deps", "gokart==1.12.2")
    pip(venv, str(DROPIN))
    result = run_python(interpreter, "import gokart", work)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("ImportError: gokart 1.12.2 and the kartcore drop-in"), message
    assert "pip uninstall -y gokart gokart-kartcore-dropin" in message


#: gokart's test_build::test_process_task_info and a build with task_dump_config, under the drop-in.
TASK_DUMP = textwrap.dedent(
    """
    import io, logging, luigi, gokart
    from gokart.build import TaskDumpConfig, TaskDumpMode, TaskDumpOutputType, process_task_info
    from gokart.tree.task_info import make_task_info_as_table

    class Dumped(gokart.TaskOnKart[str]):
        param = luigi.Parameter()
        def run(self):
            self.dump(self.param)

    task = Dumped(param="test")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("kartcore").setLevel(logging.INFO)
    logging.getLogger("kartcore").addHandler(handler)
    for mode in (TaskDumpMode.TREE, TaskDumpMode.TABLE):
        process_task_info(task, TaskDumpConfig(mode=mode, output_type=TaskDumpOutputType.PRINT))
        assert task.make_unique_id() in stream.getvalue(), stream.getvalue()
        stream.truncate(0)
    config = TaskDumpConfig(mode=TaskDumpMode.TABLE, output_type=TaskDumpOutputType.DUMP)
    assert gokart.build(task, reset_register=False, task_dump_config=config) == "test"
    assert list(make_task_info_as_table(task)["is_complete"]) == ["COMPLETE"]
    """
)


def test_dropin_serves_task_dump_config(tmp_path: Path) -> None:
    result = run_python(sys.executable, TASK_DUMP, tmp_path, str(DROPIN))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "resources" / "log" / "task_info" / "Dumped_7757badf81370beccb26f204c5bddba5.pkl").is_file()
