"""Where the template lives: at the repository root, one copy in git, carried into the wheel as package data.

``cookiecutter <checkout>`` and ``cookiecutter gh:<org>/<repo>`` render the root template straight away (no
"Select a template" question); ``kart new`` renders the same files from a checkout, an editable install
(the root) or an installed wheel (``kartcore/templates/kart-pipeline``; the real wheel is built and used in
tests/e2e/test_kart_new_from_wheel.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kartcore.cli import new
from tests.template.conftest import PACKAGED_TEMPLATE, REPO_ROOT, TEMPLATE_FILES, copy_template

COOKIECUTTER = Path(sys.executable).with_name("cookiecutter")
#: The template's questions, in order (tests/kartcore/cli/test_new.py names them).
QUESTIONS = list(new.questions(REPO_ROOT))


def private_config(tmp_path: Path) -> str:
    """A cookiecutter config that keeps clones and replay files under tmp_path."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{tmp_path / "cookiecutters"}"\nreplay_dir: "{tmp_path / "replay"}"\n', encoding="utf-8"
    )
    return str(config)


def cruft(project: Path) -> dict:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))


def git_files(pattern: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--", pattern], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return listed.stdout.splitlines()


def test_the_template_is_the_repository_root_and_git_holds_one_copy() -> None:
    context = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    assert "templates" not in context, "a nested-template pointer makes cookiecutter ask 'Select a template'"
    assert QUESTIONS[:2] == ["project_name", "package_name"]
    assert (REPO_ROOT / "hooks" / "pre_gen_project.py").is_file()
    assert (REPO_ROOT / "hooks" / "post_gen_project.py").is_file()
    assert (REPO_ROOT / "local_extensions.py").is_file()
    assert (REPO_ROOT / "{{cookiecutter.project_name}}" / "main.py").is_file()
    assert git_files("*cookiecutter.json") == ["cookiecutter.json"]
    assert git_files("*local_extensions.py") == ["local_extensions.py"]
    assert git_files("*pre_gen_project.py") == ["hooks/pre_gen_project.py"]
    assert git_files("kartcore/templates") == []


def test_kart_new_renders_the_root_template_in_a_checkout_and_the_packaged_one_in_a_wheel(tmp_path: Path) -> None:
    assert new.TEMPLATE == REPO_ROOT  # this checkout (and the editable install the tests run from)
    assert list(new.questions()) == QUESTIONS
    installed = tmp_path / "site-packages" / "kartcore"
    (installed / "cli").mkdir(parents=True)
    copy_template(installed / Path(PACKAGED_TEMPLATE).relative_to("kartcore"))
    assert new.template_directory(installed) == installed.parent / PACKAGED_TEMPLATE
    assert list(new.questions(new.template_directory(installed))) == QUESTIONS
    assert sorted(path.name for path in new.template_directory(installed).iterdir()) == sorted(TEMPLATE_FILES)


def test_the_cookiecutter_command_asks_the_questions_without_a_template_selection(tmp_path: Path) -> None:
    # typed answers by question (choices by number), Enter for the rest
    typed = {"project_name": "churn-model", "python_version": "3", "author": "Ada", "email": "ada@example.org"}
    typed |= {"license": "2", "verify": "2"}
    answers = [typed.get(question, "") for question in QUESTIONS]
    result = subprocess.run(
        [str(COOKIECUTTER), "--config-file", private_config(tmp_path), "-o", str(tmp_path / "out"), str(REPO_ROOT)],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Select a template" not in result.stdout
    assert f"[1/{len(QUESTIONS)}] Project directory name" in result.stdout
    assert f"[{len(QUESTIONS)}/{len(QUESTIONS)}]" in result.stdout
    project = tmp_path / "out" / "churn-model"
    recorded = cruft(project)["context"]["cookiecutter"]
    assert (recorded["python_version"], recorded["author"], recorded["license"]) == ("3.12", "Ada", "Apache-2.0")
    assert (project / "vendor" / "gokart-core" / "kartcore" / "__init__.py").is_file()
    assert not (project / "vendor" / "gokart-core" / "hooks").exists()


def test_the_cookiecutter_command_with_no_input_takes_the_defaults(tmp_path: Path) -> None:
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
    assert "Select a template" not in result.stdout + result.stderr
    project = tmp_path / "out" / "kart-pipeline"
    assert (project / "kart_pipeline" / "model" / "sample.py").is_file()
    assert cruft(project)["directory"] is None
