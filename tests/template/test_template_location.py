"""Where the template lives: package data in kartcore/templates/kart-pipeline, and a pointer at the root.

The one copy of the template is inside the package, so the wheel carries it for ``kart new``. The
repository root's cookiecutter.json is a cookiecutter nested-template pointer to it, so
``cookiecutter <checkout>`` and ``cookiecutter gh:<org>/<repo>`` keep working (after a "Select a
template" question with the one choice, or none with --no-input), and ``.cruft.json`` names the repository
plus the template's ``directory`` in it, as ``cruft update`` needs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.conftest import files_under
from tests.template.conftest import REPO_ROOT, TEMPLATE_DIRECTORY, TEMPLATE_ROOT

COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")


def private_config(tmp_path: Path) -> str:
    """A cookiecutter config that keeps clones and replay files under tmp_path."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{tmp_path / "cookiecutters"}"\nreplay_dir: "{tmp_path / "replay"}"\n', encoding="utf-8"
    )
    return str(config)


def contents(project: Path) -> dict[str, bytes]:
    return {name: (project / name).read_bytes() for name in files_under(project) if name != ".cruft.json"}


def cruft(project: Path) -> dict:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))


def test_the_root_cookiecutter_json_points_at_the_one_packaged_template() -> None:
    pointer = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    assert list(pointer) == ["templates"]
    (entry,) = pointer["templates"].values()
    assert (REPO_ROOT / entry["path"]).resolve() == TEMPLATE_ROOT
    assert (TEMPLATE_ROOT / "cookiecutter.json").is_file()
    assert (TEMPLATE_ROOT / "{{cookiecutter.project_name}}").is_dir()
    leftovers = [path.name for path in REPO_ROOT.iterdir() if "cookiecutter" in path.name and path.is_dir()]
    assert leftovers == [], "a second copy of the template at the root"
    assert not (REPO_ROOT / "hooks").exists()
    assert not (REPO_ROOT / "local_extensions.py").exists()


def test_the_checkout_and_the_template_directory_bake_the_same_project(tmp_path: Path) -> None:
    config = private_config(tmp_path)
    projects = [
        Path(
            cookiecutter(
                str(root),
                no_input=True,
                output_dir=str(tmp_path / name),
                config_file=config,
                extra_context={"verify": "no"},
            )
        )
        for name, root in (("checkout", REPO_ROOT), ("template", TEMPLATE_ROOT))
    ]
    assert contents(projects[0]) == contents(projects[1])
    via_checkout, direct = (cruft(project) for project in projects)
    assert (via_checkout["directory"], direct["directory"]) == (TEMPLATE_DIRECTORY, None)
    assert (projects[0] / via_checkout["template"]).resolve() == REPO_ROOT
    assert (projects[1] / direct["template"]).resolve() == TEMPLATE_ROOT
    assert via_checkout["context"] == {
        "cookiecutter": {**direct["context"]["cookiecutter"], "_template": via_checkout["template"]}
    }


def test_the_cookiecutter_command_asks_for_the_template_then_the_questions(tmp_path: Path) -> None:
    # the one nested template is offered as choice 1; then the template's own nine questions
    answers = ["", "churn-model", "", "3", "Ada", "ada@example.org", "", "2", "", "2"]
    result = subprocess.run(
        [str(COOKIECUTTER), "--config-file", private_config(tmp_path), "-o", str(tmp_path / "out"), str(REPO_ROOT)],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Select a template" in result.stdout
    assert "1 - kart-pipeline" in result.stdout
    assert "[9/9]" in result.stdout
    project = tmp_path / "out" / "churn-model"
    recorded = cruft(project)["context"]["cookiecutter"]
    assert (recorded["python_version"], recorded["author"], recorded["license"]) == ("3.12", "Ada", "Apache-2.0")
    assert (project / "vendor" / "gokart-core" / "kartcore" / "__init__.py").is_file()


def test_the_cookiecutter_command_with_no_input_takes_the_template_and_its_defaults(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(COOKIECUTTER),
            "--no-input",
            "--config-file",
            private_config(tmp_path),
            "-o",
            str(tmp_path / "out"),
            str(REPO_ROOT),
            "verify=no",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "kart-pipeline" / "kart_pipeline" / "model" / "sample.py").is_file()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_repository_is_recorded_as_given_with_the_template_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cookiecutter gh:<org>/<repo>`` in miniature: cookiecutter clones a git URL and follows the pointer."""
    # cookiecutter imports the template's extension as the top-level module `local_extensions`: forget the
    # checkout's copy that earlier bakes in this process imported, so the clone's own copy is used
    hook_modules = [path.stem for path in (TEMPLATE_ROOT / "hooks").glob("*.py")]
    for module in ("local_extensions", *hook_modules):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the clone's extension puts its hooks/ on sys.path
    repo = tmp_path / "kartcore-git"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "kartcore", repo / "kartcore", ignore=ignore)
    for name in ("cookiecutter.json", "pyproject.toml", "LICENSE", "README.md"):
        shutil.copy2(REPO_ROOT / name, repo / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run([*git, *command], cwd=repo, check=True, capture_output=True, timeout=60)
    url = f"git+file://{repo}"
    project = Path(
        cookiecutter(
            url,
            no_input=True,
            output_dir=str(tmp_path / "out"),
            config_file=private_config(tmp_path),
            extra_context={"verify": "no"},
        )
    )
    record = cruft(project)
    assert (record["template"], record["directory"]) == (url, TEMPLATE_DIRECTORY)
    assert record["context"]["cookiecutter"]["_template"] == url
    vendored = (project / "vendor" / "gokart-core" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "gokart-core"' in vendored
    clone = tmp_path / "cookiecutters" / repo.name
    assert str(clone / TEMPLATE_DIRECTORY) == sys.modules["local_extensions"].TEMPLATE_ROOT  # the clone's template
