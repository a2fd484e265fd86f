"""``kart new``: the project template bundled in the package, with cookiecutter's questions, hooks and options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cookiecutter.main import cookiecutter

from kartcore.cli import new
from kartcore.cli.app import main
from tests.conftest import VERIFIED, files_under

REPO_ROOT = Path(__file__).resolve().parents[3]


def kart_new(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["new", *args], input=input)


def contents(project: Path) -> dict[str, bytes]:
    """Every file but .cruft.json (which records where the template was)."""
    return {name: (project / name).read_bytes() for name in files_under(project) if name != ".cruft.json"}


def answers(project: Path) -> dict[str, str]:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]


def test_in_a_checkout_the_template_is_the_repository_root() -> None:
    assert new.TEMPLATE == REPO_ROOT
    assert (new.TEMPLATE / "cookiecutter.json").is_file()
    assert list(new.questions()) == [
        "project_name",
        "package_name",
        "python_version",
        "package_manager",
        "author",
        "email",
        "package_description",
        "license",
        "kartcore_source",
        "verify",
    ]


def test_no_input_generates_and_verifies_the_default_project(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    result = kart_new("--no-input", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    project = tmp_path / "out" / "kart-pipeline"
    assert VERIFIED.search(capfd.readouterr().out)  # the post-generation hook runs as a subprocess
    assert f"Created {project}" in result.stdout
    assert "poetry run python main.py kart_pipeline.Sample --local-scheduler" in result.stdout
    assert (project / "vendor" / "gokart-core" / "kartcore" / "__init__.py").is_file()
    assert not (project / "vendor" / "gokart-core" / "kartcore" / "templates").exists()


def test_a_uv_project_is_told_the_uv_commands(tmp_path: Path) -> None:
    result = kart_new("--no-input", "-o", str(tmp_path), "package_manager=uv", "verify=no")
    assert result.exit_code == 0, result.output
    project = tmp_path / "kart-pipeline"
    run = "uv run python main.py kart_pipeline.Sample --local-scheduler"
    assert f"Next: cd {project} && uv sync && {run}" in result.stdout
    assert "poetry" not in result.stdout
    assert answers(project)["package_manager"] == "uv"


def test_kart_new_and_cookiecutter_on_the_checkout_generate_the_same_project(tmp_path: Path) -> None:
    given = {"project_name": "churn-model", "python_version": "3.12", "license": "Apache-2.0", "verify": "no"}
    result = kart_new("--no-input", "-o", str(tmp_path / "kart"), *(f"{key}={value}" for key, value in given.items()))
    assert result.exit_code == 0, result.output
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(f'cookiecutters_dir: "{tmp_path / "cc"}"\nreplay_dir: "{tmp_path / "replay"}"\n')
    baked = cookiecutter(
        str(REPO_ROOT),
        no_input=True,
        extra_context=given,
        output_dir=str(tmp_path / "cookiecutter"),
        config_file=str(config),
    )
    project = tmp_path / "kart" / "churn-model"
    assert contents(project) == contents(Path(baked))
    assert {key: answers(project)[key] for key in given} == given


def test_interactive_answers_are_asked_in_the_template_order(tmp_path: Path) -> None:
    # project, package, 3.12, poetry, author, email, description, Apache, bundled, no
    typed = ["churn-model", "", "3", "", "Ada", "", "", "2", "", "2"]
    result = kart_new("-o", str(tmp_path), input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "[1/10] Project directory name" in result.stdout
    assert "Select a template" not in result.stdout  # kart new goes straight to the template
    recorded = answers(tmp_path / "churn-model")
    assert (recorded["package_name"], recorded["python_version"], recorded["author"]) == ("churn_model", "3.12", "Ada")
    assert (recorded["license"], recorded["verify"]) == ("Apache-2.0", "no")


def test_key_value_arguments_become_the_offered_defaults(tmp_path: Path) -> None:
    typed = [""] * 10  # every question answered with its default, as cookiecutter does with extra context
    result = kart_new("-o", str(tmp_path), "project_name=given", "verify=no", input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "[1/10] Project directory name (given):" in result.stdout
    assert "[2/10] Python package name (lowercase identifier) (given):" in result.stdout
    assert answers(tmp_path / "given")["verify"] == "no"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("projet_name=x", "'projet_name' is not a question of the template; the questions are: project_name, "),
        ("license=GPL-3.0", "license='GPL-3.0' is not offered; choose one of MIT, Apache-2.0, BSD-3-Clause"),
        ("python_version=3.9", "python_version='3.9' is not offered"),
        ("verify", "'verify' is not KEY=VALUE"),
        ("=yes", "'=yes' is not KEY=VALUE"),
    ],
)
def test_a_bad_key_value_is_a_usage_error_before_anything_is_written(
    tmp_path: Path, argument: str, message: str
) -> None:
    result = kart_new("--no-input", "-o", str(tmp_path / "out"), argument)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_answer_the_hooks_refuse_creates_nothing_and_says_why(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    result = kart_new("--no-input", "-o", str(tmp_path), "package_name=json", "verify=no")
    assert result.exit_code == 1
    hook_says = capfd.readouterr().err
    assert hook_says.startswith("ERROR: package_name 'json' is a standard-library module")
    assert hook_says.count("\n") == 1  # the hook's one line, and nothing of cookiecutter's about the hook failing
    assert result.output == ""
    assert list(tmp_path.iterdir()) == []


def test_a_bad_project_name_is_refused_before_its_directory_exists(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    result = kart_new("--no-input", "-o", str(tmp_path / "out"), "project_name=../escape", "package_name=escape")
    assert result.exit_code == 1
    said = [line for line in (result.stderr + capfd.readouterr().err).splitlines() if line]
    assert said == ["ERROR: project_name '../escape' must be a directory name, without path separators"]
    assert sorted(path.name for path in tmp_path.rglob("*")) in ([], ["out"])


def test_an_existing_project_is_kept_unless_overwrite_is_asked(tmp_path: Path) -> None:
    assert kart_new("--no-input", "-o", str(tmp_path), "verify=no").exit_code == 0
    marker = tmp_path / "kart-pipeline" / "mine.txt"
    marker.write_text("mine\n")
    again = kart_new("--no-input", "-o", str(tmp_path), "verify=no")
    assert again.exit_code == 1
    assert 'kart-pipeline" directory already exists (-f writes into it)' in again.stderr
    forced = kart_new("--no-input", "-o", str(tmp_path), "-f", "verify=no")
    assert forced.exit_code == 0, forced.output
    assert marker.read_text() == "mine\n"


def test_template_path_prints_the_bundled_template(tmp_path: Path) -> None:
    result = kart_new("--template-path")
    assert result.exit_code == 0
    assert Path(result.stdout.strip()) == new.TEMPLATE
    assert list(tmp_path.iterdir()) == []


def test_a_copy_without_templates_says_where_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the copy a project vendors (vendor/gokart-core) has neither the wheel's template nor the repository root's
    vendored = tmp_path / "vendor" / "gokart-core" / "kartcore"
    (vendored / "cli").mkdir(parents=True)
    monkeypatch.setattr(new, "TEMPLATE", new.template_directory(vendored))
    result = kart_new("--no-input")
    assert result.exit_code == 1
    assert "this kartcore has no project template" in result.stderr
    assert "pipx install gokart-core" in result.stderr


def test_the_command_module_leaves_cookiecutter_unimported() -> None:
    code = (
        "import sys, kartcore; assert 'kartcore.cli' not in sys.modules\n"
        "import kartcore.cli.new; assert 'cookiecutter' not in sys.modules and 'jinja2' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
