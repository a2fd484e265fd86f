"""``import kartcore`` loads luigi and the standard library only.

Import cost is the first thing a user of a command-line pipeline pays, on every run, and gokart's
eager imports (pandas, numpy, pyarrow, dill, ...) make it about half a second. kartcore loads
those only when a format needs them. Timing this would be flaky, so we check the cause instead:
which modules a fresh interpreter has loaded. Each check runs in a subprocess because the test
process itself has long since imported pandas & co.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: Libraries that must not be loaded by importing kartcore or by making plain targets.
#: (tomllib is fine: it is in the standard library.)
HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "dill",
    "redis",
    "fsspec",
    "s3fs",
    "polars",
    "apscheduler",
    "dask",
    "distributed",
)

#: Appended to every child script: report which heavy packages (top-level names) are loaded, and whether luigi is.
_REPORT = f"""
import json as _json, sys as _sys
_heavy = {HEAVY!r}
print(_json.dumps({{
    "heavy": sorted({{name.partition(".")[0] for name in _sys.modules}}.intersection(_heavy)),
    "luigi": "luigi" in _sys.modules,
}}))
"""


def _loaded_after(code: str, cwd: Path) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; return the heavy modules it left loaded and whether luigi is."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + _REPORT],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_kartcore_loads_luigi_and_nothing_heavy(tmp_path: Path) -> None:
    loaded = _loaded_after(
        """
        import kartcore
        import kartcore as gokart

        assert gokart is kartcore
        for name in kartcore.__all__:  # touch every public name, in case one is resolved lazily
            getattr(kartcore, name)
        kartcore.TaskOnKart, kartcore.build, kartcore.run
        """,
        tmp_path,
    )
    assert loaded["heavy"] == [], f"import kartcore loaded {loaded['heavy']}"
    assert loaded["luigi"] is True


def test_defining_a_task_and_making_plain_targets_loads_nothing_heavy(tmp_path: Path) -> None:
    loaded = _loaded_after(
        f"""
        import kartcore

        class Report(kartcore.TaskOnKart):
            pass

        task = Report(workspace_directory={str(tmp_path / "resources")!r})
        task.output()
        for extension in (".pkl", ".txt", ".json"):
            task.make_target(f"report/out{{extension}}")
        """,
        tmp_path,
    )
    assert loaded["heavy"] == [], f"making .pkl/.txt/.json targets loaded {loaded['heavy']}"


@pytest.mark.parametrize(("extension", "value"), [(".pkl", {"a": [1, 2]}), (".txt", ["a", "b"]), (".json", {"a": 1})])
def test_dump_and_load_of_plain_objects_loads_nothing_heavy(tmp_path: Path, extension: str, value: object) -> None:
    loaded = _loaded_after(
        f"""
        import kartcore

        class Report(kartcore.TaskOnKart):
            pass

        target = Report(workspace_directory={str(tmp_path / "resources")!r}).make_target("out{extension}")
        target.dump({value!r})
        target.load()
        """,
        tmp_path,
    )
    assert loaded["heavy"] == [], f"dump/load of {extension} loaded {loaded['heavy']}"
