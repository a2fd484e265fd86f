"""The update path: a project made from the template's git repository follows the template's later commits.

The template's files and the kartcore they bundle are copied into a git repository under tmp_path, as a
clone of this repository holds them. A project is made from it with plain ``cookiecutter`` (a local path
and a ``git+file://`` URL, which cookiecutter clones as it clones ``gh:``) or with ``cruft create``, and committed with
an edit of its own. The template then gains a commit that changes a project file and the bundled runtime:
``cruft check`` must call the project outdated, ``cruft diff`` must work, and ``cruft update`` must bring
the change in with no ``.rej`` and the project's own edit kept, after which ``cruft check`` is content.

The commands run as the user runs them (the ``cookiecutter`` and ``cruft`` executables, in subprocesses).
The editable install this suite runs from puts this checkout, with its own ``local_extensions.py``, on
``sys.path`` ahead of the clone: the recorded commit being the clone's proves the hooks used the clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template.conftest import REPO_ROOT, cookiecutter_env, copy_template, run_tool

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
OWN_EDIT = "\nOur own notes, which no template update may lose.\n"
TEMPLATE_CHANGE = "# added by the template's second commit\n"


def git(directory: Path, *args: str) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
    done = subprocess.run(["git", *identity, *args], cwd=directory, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def command(tool: str, *args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_tool(tool, *args, cwd=cwd, env=env)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """cookiecutter's and cruft's user config (clones, replays) kept under tmp_path; the venv's tools first."""
    return {**cookiecutter_env(tmp_path), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A git repository holding the template at its root and the kartcore it bundles, with one commit."""
    repo = copy_template(tmp_path / "template-repo")
    shutil.copytree(REPO_ROOT / "kartcore", repo / "kartcore", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "LICENSE", "README.md"):
        shutil.copy2(REPO_ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "template, first commit")
    return repo


def commit_the_project_with_an_edit_of_its_own(project: Path) -> None:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated")
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(OWN_EDIT)
    git(project, "commit", "-q", "-am", "our own edit")


def second_template_commit(repo: Path) -> str:
    """Change a project file and the bundled runtime in the template; return the new commit."""
    for path in (repo / "{{cookiecutter.project_name}}" / "conf" / "param.ini", repo / "kartcore" / "__init__.py"):
        with path.open("a", encoding="utf-8") as file:
            file.write(TEMPLATE_CHANGE)
    git(repo, "commit", "-q", "-am", "template, second commit")
    return git(repo, "rev-parse", "HEAD")


def record(project: Path) -> dict:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))


def follow_the_template(project: Path, repo: Path, env: dict[str, str]) -> None:
    """check (current), then a template commit: check (outdated), diff, update (applied cleanly), check."""
    first = git(repo, "rev-parse", "HEAD")
    assert record(project)["commit"] == first  # the clone's hooks ran (the checkout's would name its own commit)
    commit_the_project_with_an_edit_of_its_own(project)
    current = command("cruft", "check", cwd=project, env=env)
    assert current.returncode == 0, explain(current)
    assert "up to date" in current.stdout

    second = second_template_commit(repo)
    outdated = command("cruft", "check", cwd=project, env=env)
    assert outdated.returncode == 1, explain(outdated)
    assert "out of date" in outdated.stdout

    diff = command("cruft", "diff", cwd=project, env=env)
    assert diff.returncode == 0, explain(diff)
    assert "Traceback" not in diff.stdout + diff.stderr
    assert "Our own notes" in diff.stdout  # the project against the template at its recorded commit

    updated = command("cruft", "update", "--skip-apply-ask", cwd=project, env=env)
    assert updated.returncode == 0, explain(updated)
    assert not [path for path in project.rglob("*") if path.suffix in {".rej", ".orig"}], explain(updated)
    assert (project / "conf" / "param.ini").read_text(encoding="utf-8").endswith(TEMPLATE_CHANGE)
    runtime = project / "vendor" / "gokart-core" / "kartcore" / "__init__.py"
    assert runtime.read_text(encoding="utf-8").endswith(TEMPLATE_CHANGE)
    assert (project / "README.md").read_text(encoding="utf-8").endswith(OWN_EDIT)
    assert record(project)["commit"] == second
    changed = sorted(git(project, "diff", "--name-only", "HEAD").splitlines())
    assert changed == [".cruft.json", "conf/param.ini", "vendor/gokart-core/kartcore/__init__.py"]

    again = command("cruft", "check", cwd=project, env=env)
    assert again.returncode == 0, explain(again)


@pytest.mark.parametrize("how", ["path", "url"])
def test_a_project_from_plain_cookiecutter_follows_the_template(
    tmp_path: Path, template_repo: Path, env: dict[str, str], how: str
) -> None:
    template = template_repo.name if how == "path" else f"git+file://{template_repo}"  # cookiecutter clones it
    made = command("cookiecutter", "--no-input", "-o", "out", template, "verify=no", cwd=tmp_path, env=env)
    assert made.returncode == 0, explain(made)
    project = tmp_path / "out" / "kart-pipeline"
    recorded = record(project)
    if how == "path":  # relative to the project, where cruft runs: no absolute path of this machine
        assert (project / recorded["template"]).resolve() == template_repo
    else:  # as git clones it (cookiecutter's git+ prefix is its own)
        assert recorded["template"] == f"file://{template_repo}"
    assert recorded["context"]["cookiecutter"]["_template"] == recorded["template"]
    follow_the_template(project, template_repo, env)


def test_a_project_from_cruft_create_follows_the_template(
    tmp_path: Path, template_repo: Path, env: dict[str, str]
) -> None:
    made = command(
        "cruft",
        "create",
        "--no-input",
        "--output-dir",
        "out",
        "--extra-context",
        '{"verify": "no"}',
        str(template_repo),
        cwd=tmp_path,
        env=env,
    )
    assert made.returncode == 0, explain(made)
    project = tmp_path / "out" / "kart-pipeline"
    assert record(project)["template"] == str(template_repo)  # cruft's own record
    follow_the_template(project, template_repo, env)


def test_cruft_diff_runs_on_a_record_without_a_commit(tmp_path: Path, template_repo: Path, env: dict[str, str]) -> None:
    """A record with "commit": null (an older project): cruft puts its git reference in the hooks' context."""
    made = command("cookiecutter", "--no-input", "-o", "out", template_repo.name, "verify=no", cwd=tmp_path, env=env)
    assert made.returncode == 0, explain(made)
    project = tmp_path / "out" / "kart-pipeline"
    state = record(project)
    state["commit"] = None
    del state["context"]["cookiecutter"]["_commit"]
    (project / ".cruft.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    commit_the_project_with_an_edit_of_its_own(project)
    diff = command("cruft", "diff", cwd=project, env=env)
    assert diff.returncode == 0, explain(diff)
    assert "Traceback" not in diff.stdout + diff.stderr
    assert "Our own notes" in diff.stdout
