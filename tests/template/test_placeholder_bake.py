"""The placeholder template renders, refuses a bad package name, and its pipeline runs on kartcore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import files_under


def test_defaults_render_a_runnable_project(cookies) -> None:
    result = cookies.bake()
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    assert project.name == "kart-project"
    assert files_under(project) == ["README.md", "conf/param.ini", "kart_project/__init__.py", "main.py"]
    for path in project.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text() and "{%" not in path.read_text()
    run = subprocess.run(
        [sys.executable, "main.py", "kart_project.Sample", "--local-scheduler"],
        cwd=project, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert len(list((project / "resources" / "kart_project").glob("Sample_*.pkl"))) == 1


def test_bad_package_name_is_refused_and_nothing_is_left(cookies, capfd, tmp_path: Path) -> None:
    result = cookies.bake(extra_context={"project_name": "bad", "package_name": "Not-A-Name"})
    assert result.exit_code != 0
    assert "package_name 'Not-A-Name' must be a lowercase Python identifier" in capfd.readouterr().err
    output_dir = tmp_path / "cookies" / "bake00"  # where pytest-cookies baked
    assert output_dir.is_dir() and list(output_dir.iterdir()) == []
