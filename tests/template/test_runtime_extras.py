"""The generated README's way to a runtime extra works: ``"gokart-core[dask]"`` in ``dependencies``, then the
command the README names, installs dask into the project's .venv, with the runtime bundled in vendor/.

The vendored runtime carries the extras of the real one (hooks/hook_bundle.py); without them uv only warns
("does not have an extra named dask") and Poetry installs nothing more, so the README's promise would fail
silently. Poetry gets this workplace's index as a legacy source on a copy, as in test_hook_lock.py.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.template.test_hook_lock import BIN, bake, poetry_copy, private_tool_homes

pytestmark = pytest.mark.slow
__all__ = ["private_tool_homes"]  # the autouse fixture: private caches for uv and Poetry, this interpreter


def readme_commands(project: Path) -> list[list[str]]:
    """The commands the README gives after the extra is written into ``dependencies``."""
    text = " ".join((project / "README.md").read_text(encoding="utf-8").split())
    match = re.search(r'write `"gokart-core\[dask\]"` for `"gokart-core"` in `dependencies`, then run `([^`]+)`', text)
    assert match, "the README no longer says how to ask for the dask extra"
    return [shlex.split(command) for command in match.group(1).split("&&")]


@pytest.mark.parametrize("manager", ["poetry", "uv"])
def test_the_readmes_way_to_the_dask_extra_installs_dask(
    cookies, tmp_path: Path, manager: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = bake(cookies, package_manager=manager)
    if manager == "poetry":
        project = poetry_copy(project, tmp_path)
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '    "gokart-core",\n' in text
    pyproject.write_text(text.replace('    "gokart-core",\n', '    "gokart-core[dask]",\n', 1), encoding="utf-8")

    for command in readme_commands(project):
        assert command[0] == manager, command
        result = subprocess.run(
            [str(BIN / command[0]), *command[1:]], cwd=project, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "does not have an extra" not in result.stderr, result.stderr

    imported = subprocess.run(
        [str(project / ".venv/bin/python"), "-c", "import distributed, kartcore; print(distributed.__file__)"],
        cwd=project,
        capture_output=True,
        text=True,
        env={},
    )
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(project / ".venv")
    assert (project / ".venv/bin/dask").is_file()  # the README's `dask scheduler` / `dask worker` commands
