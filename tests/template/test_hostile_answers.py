"""Hostile answers to ``kart new`` (and cookiecutter): refused before anything is written, in one line.

Each refusal exits non-zero with one line naming the answer and the rule, and leaves nothing behind: no
project directory, and with ``-f`` an existing project byte for byte as it was. Answers that hold Jinja
syntax are not refused but kept literally. ``kart`` and ``cookiecutter`` run as the user runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import tomllib

from tests.conftest import VERIFIED
from tests.template.conftest import REPO_ROOT, cookiecutter_env, run_tool


def run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tool(tool, *args, cwd=cwd, env=cookiecutter_env(cwd))


def kart_new(cwd: Path, *answers: str, output: str = "out") -> subprocess.CompletedProcess[str]:
    return run("kart", "new", "--no-input", "-o", output, "verify=no", *answers, cwd=cwd)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def the_one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        # distribution names pip and Poetry refuse (the package name with _ as -)
        ("project_name=my-pipeline_", "package_name 'my_pipeline_' makes the distribution name 'my-pipeline-'"),
        ("project_name=café", "package_name 'café' must be a lowercase Python identifier (ASCII"),
        ("project_name=_private", "package_name '_private' makes the distribution name '-private'"),
        ("project_name=-rf", "project_name '-rf' must not start with '-'"),
        ("project_name=" + "a" * 300, "project_name is 300 characters long; at most 100"),
        ("email=me@localhost", "email 'me@localhost' must be an address like you@example.com"),
        ("email=me@example.com\nx = 1", "email 'me@example.com\\nx = 1' must be an address"),
        # the project's own dependencies and tools
        *(
            (f"package_name={name}", f"package_name '{name}' is reserved")
            for name in ("pytest", "typing_extensions", "pandas", "polars", "numpy", "pyarrow", "luigi", "kartcore")
        ),
        ("project_name=gokart", "package_name 'gokart' is reserved"),
    ],
)
def test_a_hostile_answer_is_refused_in_one_line_and_nothing_is_written(
    tmp_path: Path, answer: str, message: str
) -> None:
    result = kart_new(tmp_path, answer)
    assert result.returncode == 1, result.stdout + result.stderr
    line = the_one_line(result)
    assert line.startswith("ERROR: ")
    assert message in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_bad_email_with_f_leaves_the_existing_project_untouched(tmp_path: Path) -> None:
    made = kart_new(tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    project = tmp_path / "out" / "kart-pipeline"
    before = snapshot(project)
    result = kart_new(tmp_path, "-f", "email=me@example.com\nname = 'x'")
    assert result.returncode == 1
    assert "must be an address like you@example.com" in the_one_line(result)
    assert snapshot(project) == before


@contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """A directory nobody can write in: mode 0555, and for root (whom modes do not stop) the immutable flag."""
    directory.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(directory)], check=True, capture_output=True, timeout=30)
    try:
        with pytest.raises(OSError):
            (directory / "probe").mkdir()
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True, capture_output=True, timeout=30)
        directory.chmod(0o755)


def test_a_read_only_output_directory_gives_one_line(tmp_path: Path) -> None:
    output = tmp_path / "read-only"
    output.mkdir()
    with read_only(output):
        result = kart_new(tmp_path, output="read-only")
    assert result.returncode == 1
    line = the_one_line(result)
    assert line.startswith("Error: no project was created: Unable to create directory at read-only/kart-pipeline (")
    assert list(output.iterdir()) == []


@pytest.mark.slow  # verify=yes: the pipeline, the tests and `poetry check` run on the generated project
def test_answers_holding_jinja_are_kept_literally(tmp_path: Path) -> None:
    description, author = "{{ 7*7 }} and {# an open comment", "Ada {% raw %}"
    result = kart_new(tmp_path, f"package_description={description}", f"author={author}", "verify=yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert VERIFIED.search(result.stdout), result.stdout
    project = tmp_path / "out" / "kart-pipeline"
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["description"] == description  # not 49
    assert metadata["authors"][0]["name"] == author
    assert description in (project / "README.md").read_text(encoding="utf-8")
    # recorded so that cruft, which renders the recorded answers again, gets them back literally
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    assert recorded["package_description"] == "{% raw %}" + description + "{% endraw %}"


def test_an_answer_that_cannot_be_kept_literally_is_refused(tmp_path: Path) -> None:
    result = kart_new(tmp_path, "package_description={% endraw %}{{ 7*7 }}")
    assert result.returncode == 2
    assert "cannot be passed literally (it holds 'endraw')" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_name=my-pipeline_", "makes the distribution name 'my-pipeline-'"),  # refused by pre_gen
        ("project_name=-rf", "must not start with '-'"),  # refused while the directory name is rendered
    ],
)
def test_plain_cookiecutter_refuses_them_too_and_leaves_nothing(tmp_path: Path, answer: str, message: str) -> None:
    result = run("cookiecutter", "--no-input", "-o", "out", str(REPO_ROOT), "verify=no", answer, cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
