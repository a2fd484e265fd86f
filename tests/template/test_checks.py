"""Unit tests of the template's hook logic: hooks/checks.py and the hook_*.py modules it calls.

No baking: every function is called directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import checks
import hook_answers
import hook_bundle
import hook_common
import hook_files
import hook_metadata
import hook_record
import hook_verify
import pytest
import tomllib
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from tests.template.conftest import REPO_ROOT, TEMPLATE_ROOT


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """cookiecutter.json's defaults, rendered by cookiecutter exactly as a --no-input run renders them."""
    monkeypatch.syspath_prepend(str(TEMPLATE_ROOT))  # local_extensions.py, named in _extensions
    context = generate_context(context_file=str(TEMPLATE_ROOT / "cookiecutter.json"))
    return dict(prompt_for_config(context, no_input=True))


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> content)."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def runtime_files() -> dict[str, bytes]:
    """The kartcore package as bundle_runtime() should copy it: no bytecode."""
    return {
        name: content
        for name, content in tree(REPO_ROOT / "kartcore").items()
        if "__pycache__" not in Path(name).parts and not name.endswith(".pyc")
    }


# ----- validate() / pre_gen() ---------------------------------------------------------------------


def test_the_rendered_defaults_are_what_the_template_documents(defaults: dict[str, Any]) -> None:
    assert defaults["project_name"] == "kart-pipeline"
    assert defaults["package_name"] == "kart_pipeline"
    assert defaults["python_version"] == "3.11"
    assert defaults["license"] == "MIT"
    assert defaults["kartcore_source"] == "bundled"
    assert defaults["verify"] == "yes"


def test_validate_accepts_the_defaults(defaults: dict[str, Any]) -> None:
    assert hook_answers.validate(defaults) == []


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("package_name", "My-Pkg", "must be a lowercase Python identifier"),
        ("package_name", "1abc", "must be a lowercase Python identifier"),
        ("package_name", "Pkg", "must be a lowercase Python identifier"),
        ("package_name", "my pkg", "must be a lowercase Python identifier"),
        ("package_name", "", "must be a lowercase Python identifier"),
        ("package_name", "class", "is a Python keyword"),
        ("package_name", "match", "is a Python keyword"),
        ("package_name", "json", "is a standard-library module"),
        ("package_name", "collections", "is a standard-library module"),
        ("package_name", "kartcore", "is reserved"),
        ("package_name", "luigi", "is reserved"),
        ("package_name", "gokart", "is reserved"),
        # names Python accepts but pip and Poetry refuse as a distribution (my-pipeline_, _private, -rf, café)
        ("package_name", "my_pipeline_", "makes the distribution name 'my-pipeline-', which pip and Poetry refuse"),
        ("package_name", "_private", "makes the distribution name '-private', which pip and Poetry refuse"),
        ("package_name", "_rf", "makes the distribution name '-rf'"),
        ("package_name", "café", "must be a lowercase Python identifier (ASCII"),
        ("package_name", "a" * 101, "package_name is 101 characters long; at most 100"),
        # the project's own dependencies and tools: the package would shadow them
        *(
            ("package_name", name, "is reserved: the project or its tools import a module of that name")
            for name in ("pandas", "polars", "numpy", "pyarrow", "pytest", "typing_extensions", "gokart_core", "mypy")
        ),
        ("package_name", "notebooks", "is reserved: a top-level name of the project's layout"),
        ("project_name", "-rf", "must not start with '-'"),
        ("project_name", "a" * 300, "project_name is 300 characters long; at most 100"),
        ("project_name", "", "must not be empty"),
        ("project_name", "   ", "must not be empty"),
        ("project_name", "a/b", "must be a directory name, without path separators"),
        ("project_name", "a\\b", "must be a directory name, without path separators"),
        ("project_name", "..", "must be a directory name, without path separators"),
        ("project_name", ".", "must be a directory name, without path separators"),
        ("project_name", "../escape", "must be a directory name, without path separators"),
        ("project_name", " kart", "must not start or end with spaces"),
        ("project_name", "kart\tpipeline", "control characters"),
        ("python_version", "3.9", "is not supported"),
        ("python_version", "3.14", "is not supported"),
        ("license", "GPL-3.0", "is not offered"),
        ("license", "mit", "is not offered"),
        ("kartcore_source", "latest", "must be 'bundled' or a version specifier"),
        ("verify", "maybe", "must be yes or no"),
        ("verify", "Yes", "must be yes or no"),
        ("email", "nobody", "must be an address like you@example.com"),
        ("email", "a b@example.com", "must be an address like you@example.com"),
        ("email", "<you@example.com>", "must be an address like you@example.com"),
        ("email", "me@localhost", "must be an address like you@example.com (a dotted domain"),  # Poetry: must be email
        ("email", "me@example.com\nx = 1", "must be an address like you@example.com"),
        ("email", "me..too@example.com", "must be an address like you@example.com"),
    ],
)
def test_each_bad_answer_gives_one_message_naming_the_answer_and_the_rule(
    defaults: dict[str, Any], field: str, value: str, rule: str
) -> None:
    errors = hook_answers.validate({**defaults, field: value})
    assert len(errors) == 1, errors
    (message,) = errors
    assert message.startswith(field)
    if value.strip() and len(value) <= hook_answers.MAX_NAME_LENGTH:  # a long name is counted, not repeated
        assert repr(value) in message
    assert rule in message


@pytest.mark.parametrize(
    "spec",
    ["bundled", ">=0.1,<0.2", ">=0.1, <0.2", "==0.1.0", "~=0.1", "gokart-core>=0.1", "gokart-core[pandas]>=0.1,<0.2"],
)
def test_kartcore_source_accepts_bundled_and_version_specifiers(defaults: dict[str, Any], spec: str) -> None:
    assert hook_answers.validate({**defaults, "kartcore_source": spec}) == []


@pytest.mark.parametrize(
    "spec",
    ["latest", "", "0.1", "gokart-core", "gokart>=0.1", ">=", ">=0.1 <0.2", ">=0.1;rm -rf /", '>=0.1"', "Bundled"],
)
def test_kartcore_source_refuses_anything_else(defaults: dict[str, Any], spec: str) -> None:
    errors = hook_answers.validate({**defaults, "kartcore_source": spec})
    assert errors == [f"kartcore_source {spec!r} must be 'bundled' or a version specifier such as '>=0.1,<0.2'"]


@pytest.mark.parametrize("package", ["kart_pipeline", "my_pipeline_2", "private__data", "p" * 60, "p" * 100])
def test_lowercase_identifiers_that_clash_with_nothing_are_accepted(defaults: dict[str, Any], package: str) -> None:
    assert hook_answers.validate({**defaults, "package_name": package}) == []


@pytest.mark.parametrize("reserved", sorted(hook_answers.RESERVED_PACKAGES))
def test_every_reserved_package_name_is_refused(defaults: dict[str, Any], reserved: str) -> None:
    (message,) = hook_answers.validate({**defaults, "package_name": reserved})
    assert message.startswith(f"package_name {reserved!r} is reserved: ")


def test_several_bad_answers_give_one_message_each(defaults: dict[str, Any]) -> None:
    bad = {
        "package_name": "json",
        "project_name": "a/b",
        "python_version": "2.7",
        "license": "WTFPL",
        "kartcore_source": "latest",
        "verify": "sometimes",
        "email": "nobody",
    }
    errors = hook_answers.validate({**defaults, **bad})
    assert [message.split(" ", 1)[0] for message in errors] == list(bad)


def test_validate_tolerates_missing_answers() -> None:
    assert len(hook_answers.validate({})) == 7  # one per rule, no KeyError


def test_pre_gen_prints_one_error_line_per_bad_answer_and_returns_1(
    defaults: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert checks.pre_gen({**defaults, "package_name": "class", "python_version": "3.9"}) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "ERROR: package_name 'class' is a Python keyword; choose another name",
        "ERROR: python_version '3.9' is not supported; choose one of 3.10, 3.11, 3.12, 3.13",
    ]


def test_pre_gen_is_silent_and_returns_0_for_good_answers(
    defaults: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert checks.pre_gen(defaults) == 0
    assert capsys.readouterr() == ("", "")


# ----- bundle_runtime() ---------------------------------------------------------------------------


def test_bundle_runtime_copies_kartcore_byte_for_byte_and_nothing_of_the_template(tmp_path: Path) -> None:
    vendor = hook_bundle.bundle_runtime(tmp_path / "project", TEMPLATE_ROOT)
    assert vendor == tmp_path / "project" / "vendor" / "gokart-core"
    expected = runtime_files()
    assert "__init__.py" in expected
    assert "cli/new.py" in expected
    assert tree(vendor / "kartcore") == expected
    assert not (vendor / "kartcore" / "templates").exists()
    assert not (vendor / "hooks").exists()
    assert (vendor / "LICENSE").read_bytes() == (REPO_ROOT / "LICENSE").read_bytes()
    assert sorted(path.name for path in vendor.iterdir()) == ["LICENSE", "kartcore", "pyproject.toml"]


def test_the_vendored_pyproject_matches_the_root_project_table(tmp_path: Path) -> None:
    vendor = hook_bundle.bundle_runtime(tmp_path, TEMPLATE_ROOT)
    vendored = tomllib.loads((vendor / "pyproject.toml").read_text(encoding="utf-8"))
    root = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for key in ("name", "version", "requires-python", "scripts"):
        assert vendored["project"][key] == root[key], key
    assert vendored["project"]["dependencies"] == [item for item in root["dependencies"] if "cookiecutter" not in item]
    assert any("cookiecutter" in item for item in root["dependencies"]), "kart new needs it in the runtime itself"
    assert vendored["project"]["scripts"] == {"kart": "kartcore.cli:main"}
    # the extras a project asks for as gokart-core[dask], but not the runtime's own development tools
    extras = {name: items for name, items in root["optional-dependencies"].items() if name != "dev"}
    assert vendored["project"]["optional-dependencies"] == extras
    assert {"dask", "s3", "gcs", "redis", "slack"} <= set(extras)
    assert vendored["tool"]["poetry"]["packages"] == [{"include": "kartcore"}]
    assert vendored["build-system"]["build-backend"] == "poetry.core.masonry.api"


def test_bundle_runtime_twice_gives_the_same_tree_and_drops_stale_files(tmp_path: Path) -> None:
    vendor = hook_bundle.bundle_runtime(tmp_path, TEMPLATE_ROOT)
    first = tree(vendor)
    (vendor / "kartcore" / "stale_module.py").write_text("x = 1\n", encoding="utf-8")
    (vendor / "kartcore" / "__pycache__").mkdir(exist_ok=True)
    assert hook_bundle.bundle_runtime(tmp_path, TEMPLATE_ROOT) == vendor
    assert tree(vendor) == first


def test_bundle_runtime_refuses_a_template_without_the_runtime(tmp_path: Path) -> None:
    with pytest.raises(hook_common.VerificationError, match="cannot bundle kartcore"):
        hook_bundle.bundle_runtime(tmp_path / "project", tmp_path / "not-a-template")
    assert not (tmp_path / "project").exists()


def test_the_python_3_10_fallback_reads_the_same_project_table(monkeypatch: pytest.MonkeyPatch) -> None:
    with_tomllib = hook_bundle.read_project_table(REPO_ROOT / "pyproject.toml")
    monkeypatch.setattr(hook_bundle, "sys", SimpleNamespace(version_info=(3, 10, 0)))
    fallback = hook_bundle.read_project_table(REPO_ROOT / "pyproject.toml")
    for key in ("name", "version", "requires-python", "dependencies", "scripts", "optional-dependencies"):
        assert fallback[key] == with_tomllib[key], key
    assert fallback["optional-dependencies"]["dask"] == ["dask[distributed]>=2024.1"]  # brackets inside a string


# ----- cruft_record() -----------------------------------------------------------------------------


def cookiecutter_context(answers: dict[str, Any], template: str, tmp_path: Path) -> dict[str, Any]:
    """The context cookiecutter hands the post_gen hook (private keys included)."""
    return {
        **answers,
        "_template": template,
        "_output_dir": str(tmp_path),
        "_repo_dir": str(TEMPLATE_ROOT),
        "_checkout": None,
        "_extensions": ["local_extensions.TemplateRootExtension", "cookiecutter.extensions.TimeExtension"],
    }


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(str(TEMPLATE_ROOT), id="template-absolute"),  # `kart new`, `cookiecutter /abs/checkout`
        pytest.param(".", id="template-relative"),  # `cookiecutter .` in the checkout
    ],
)
def test_cruft_record_of_a_local_template_holds_no_absolute_path(
    defaults: dict[str, Any], tmp_path: Path, typed: str
) -> None:
    project = tmp_path / "out" / "kart-pipeline"
    project.mkdir(parents=True)
    record = hook_record.cruft_record(cookiecutter_context(defaults, typed, tmp_path), project, TEMPLATE_ROOT)
    strings = list(strings_in(json.loads(json.dumps(record))))
    assert not [text for text in strings if os.path.isabs(text) or str(tmp_path) in text]
    assert not {"_output_dir", "_repo_dir"} & set(strings)
    assert not os.path.isabs(record["template"])
    assert record["directory"] is None
    assert (project / record["template"]).resolve() == TEMPLATE_ROOT
    answers = record["context"]["cookiecutter"]
    assert answers["_template"] == record["template"]
    assert answers["_commit"] == record["commit"]
    assert {key: answers[key] for key in defaults} == defaults
    assert set(record) == {"template", "commit", "checkout", "context", "directory"}


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("gh:org/repo", "https://github.com/org/repo.git"),
        ("gh:org/repo.git", "https://github.com/org/repo.git"),
        ("gl:group/repo", "https://gitlab.com/group/repo.git"),
        ("bb:team/repo", "https://bitbucket.org/team/repo"),
        ("https://github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("git+https://github.com/org/repo", "https://github.com/org/repo"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ],
)
def test_cruft_record_names_a_remote_template_as_git_clones_it(
    defaults: dict[str, Any], tmp_path: Path, typed: str, recorded: str
) -> None:
    # `cookiecutter gh:org/repo`: the template root is cookiecutter's clone; cruft hands the record to git
    context = {**cookiecutter_context(defaults, typed, tmp_path), "_checkout": "v1.2"}
    record = hook_record.cruft_record(context, tmp_path / "kart-pipeline", tmp_path / "cookiecutters" / "repo")
    assert record["template"] == recorded
    assert record["checkout"] == "v1.2"
    assert record["directory"] is None
    answers = record["context"]["cookiecutter"]
    assert answers["_template"] == recorded
    assert "_output_dir" not in answers
    assert "_repo_dir" not in answers
    assert not [text for text in strings_in(record) if os.path.isabs(text)]


def test_the_hook_scripts_get_the_context_as_json_even_with_a_git_reference_in_it() -> None:
    # cruft diff of a project without a recorded commit puts a GitPython reference in `_commit`
    import local_extensions

    class Reference:
        def __str__(self) -> str:
            return "origin/HEAD"

    rendered = local_extensions.hook_json({"project_name": "p", "_commit": Reference()})
    assert json.loads(rendered) == {"project_name": "p", "_commit": "origin/HEAD"}


def git(directory: Path, *args: str) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
    done = subprocess.run(["git", *identity, *args], cwd=directory, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_record_names_the_commit_of_a_template_at_the_top_of_a_git_work_tree(tmp_path: Path) -> None:
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    (template / "cookiecutter.json").write_text("{}\n", encoding="utf-8")
    assert hook_record.git_commit(template) is None  # not in git (kart new from a wheel)
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "template")
    assert hook_record.git_commit(template) == git(template, "rev-parse", "HEAD")
    # a template somewhere inside another repository (a wheel in a virtualenv under a checkout) is not its commit
    assert hook_record.git_commit(template / "hooks") is None


def test_without_git_the_record_has_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable on it
    assert hook_record.git_commit(REPO_ROOT) is None


# ----- check_files() ------------------------------------------------------------------------------


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names_line(message: str, line: int) -> bool:
    """The message gives the line number (each parser words it its own way: 'line 3', '[line  3]', 'line: 3')."""
    return re.search(rf"line\W{{1,3}}{line}\b", message) is not None


@pytest.mark.parametrize("marker", ["{{", "{%", "{#"])
@pytest.mark.parametrize("relative", ["README.md", "pkg/model/sample.py", "Dockerfile", "conf/param.ini"])
def test_check_files_finds_leftover_template_syntax(tmp_path: Path, marker: str, relative: str) -> None:
    write(tmp_path, relative, f"first line\nsecond line\nthird {marker} cookiecutter.package_name\n")
    with pytest.raises(hook_common.VerificationError) as excinfo:
        hook_files.check_files(tmp_path)
    assert str(excinfo.value) == f"{Path(relative)}:3 still holds template syntax {marker!r}"


@pytest.mark.parametrize(
    ("relative", "text", "line", "error"),
    [
        ("pkg/broken.py", '"""Doc."""\n\ndef f(:\n    pass\n', 3, "SyntaxError"),
        ("pyproject.toml", '[project]\nname = "x"\nversion = \n', 3, "TOMLDecodeError"),
        ("conf/param.ini", "[TaskOnKart]\nworkspace_directory = x\n[TaskOnKart]\n", 3, "DuplicateSectionError"),
        ("setup.cfg", "no section header\n", 1, "MissingSectionHeaderError"),
        (".github/workflows/ci.yml", "name: CI\non: push\njobs: build: x\n", 3, "ScannerError"),
        (".cruft.json", '{\n  "template": "x",\n}\n', 3, "JSONDecodeError"),
    ],
)
def test_check_files_names_file_and_line_of_a_broken_file(
    tmp_path: Path, relative: str, text: str, line: int, error: str
) -> None:
    write(tmp_path, "README.md", "# fine\n")
    write(tmp_path, relative, text)
    with pytest.raises(hook_common.VerificationError) as excinfo:
        hook_files.check_files(tmp_path)
    message = str(excinfo.value)
    assert message.startswith(f"{Path(relative)} does not parse: ")
    assert error in message
    assert names_line(message, line), message


def test_check_files_accepts_well_formed_files(tmp_path: Path) -> None:
    write(tmp_path, "main.py", "import sys\n\nprint(sys.argv)\n")
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path, "conf/logging.ini", "[formatter_default]\nformat = %(asctime)s %(message)s\n")
    write(tmp_path, ".github/workflows/ci.yml", "on:\n  push:\njobs: {}\n")
    write(tmp_path, ".cruft.json", '{"template": "../t"}\n')
    write(tmp_path, "README.md", "Curly {braces} and {single} are fine.\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.pkl").write_bytes(b"\x80\x04\x95{{\xff")  # binary, not a text suffix: skipped
    hook_files.check_files(tmp_path)


@pytest.mark.parametrize(
    "skipped", ["vendor/gokart-core/kartcore/x.py", "resources/out.py", "pkg/__pycache__/x.py", ".venv/lib/x.py"]
)
def test_check_files_leaves_out_the_bundled_runtime_caches_and_the_workspace(tmp_path: Path, skipped: str) -> None:
    write(tmp_path, skipped, "def broken(:\n{{ leftover }}\n")
    hook_files.check_files(tmp_path)


def test_answers_holding_jinja_are_not_leftover_template_syntax(tmp_path: Path) -> None:
    answers = {"package_description": 'say "{{ 7*7 }}"', "author": "Ada {#"}
    write(tmp_path, "pyproject.toml", "[project]\ndescription = \"say '{{ 7*7 }}'\"\n")  # the template's ' for "
    write(tmp_path, "LICENSE", "Copyright (c) 2026 Ada {#\n")
    write(tmp_path, ".cruft.json", '{"author": "{% raw %}Ada {#{% endraw %}"}\n')
    hook_files.check_files(tmp_path, answers)
    write(tmp_path, "README.md", "# {{ cookiecutter.project_name }}\n")  # the template's own syntax still is
    with pytest.raises(hook_common.VerificationError, match=r"README.md:1 still holds template syntax '\{\{'"):
        hook_files.check_files(tmp_path, answers)


def test_the_record_keeps_jinja_in_an_answer_literal_for_cruft_to_render_again(
    defaults: dict[str, Any], tmp_path: Path
) -> None:
    from cookiecutter.environment import StrictEnvironment

    context = {**cookiecutter_context(defaults, ".", tmp_path), "package_description": "{{ 7*7 }} {#"}
    record = hook_record.cruft_record(context, tmp_path / "kart-pipeline", TEMPLATE_ROOT)
    recorded = record["context"]["cookiecutter"]["package_description"]
    assert StrictEnvironment().from_string(recorded).render() == "{{ 7*7 }} {#"
    assert record["context"]["cookiecutter"]["author"] == defaults["author"]  # plain text stays as it is


# ----- check_metadata() ---------------------------------------------------------------------------


def pyproject_of(root: Path, name: str = "kart-pipeline", email: str = "you@example.com") -> Path:
    """A pyproject.toml as the template writes it, as far as the metadata checks read it."""
    write(
        root,
        "pyproject.toml",
        f'[project]\nname = "{name}"\nversion = "0.1.0"\ndescription = "d"\n'
        f'authors = [{{ name = "A", email = "{email}" }}]\nrequires-python = ">=3.11,<3.14"\ndependencies = []\n\n'
        '[tool.poetry]\npackages = [{ include = "kart_pipeline" }]\n',
    )
    write(root, "kart_pipeline/__init__.py", "")
    write(root, "README.md", "# p\n")
    return root


def test_poetry_check_accepts_good_metadata(tmp_path: Path) -> None:
    assert hook_metadata.check_metadata(pyproject_of(tmp_path), {}) == "metadata: `poetry check` accepts pyproject.toml"


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("kart-pipeline-", "you@example.com", "the distribution name 'kart-pipeline-' is not a PEP 508 name"),
        ("kart-pipeline", "me@localhost", "the author email 'me@localhost' is not an address"),
    ],
)
def test_metadata_pip_or_poetry_would_refuse_fails_verification(
    tmp_path: Path, name: str, email: str, message: str
) -> None:
    with pytest.raises(hook_common.VerificationError, match=re.escape(message)):
        hook_metadata.check_metadata(pyproject_of(tmp_path, name, email), {})


def test_what_only_poetry_check_finds_fails_verification_with_poetrys_words(tmp_path: Path) -> None:
    project = pyproject_of(tmp_path)
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text.replace('version = "0.1.0"', 'version = "not a version"'))
    with pytest.raises(hook_common.VerificationError, match=r"^`poetry check` refuses pyproject.toml: .*version"):
        hook_metadata.check_metadata(project, {})


def test_without_poetry_the_metadata_checks_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_metadata, "_poetry", lambda: None)
    assert "no poetry here" in hook_metadata.check_metadata(pyproject_of(tmp_path), {})
    # a uv project is not Poetry's to check
    assert hook_metadata.check_metadata(pyproject_of(tmp_path), {"package_manager": "uv"}) == (
        "metadata: the name and the emails of pyproject.toml are valid"
    )


# ----- post_gen() and run_pipeline_and_tests() ----------------------------------------------------


def minimal_project(root: Path) -> Path:
    """A small project that passes check_files (the real one is baked in test_bake.py)."""
    write(root, "pyproject.toml", '[project]\nname = "kart-pipeline"\nversion = "0.1.0"\n')
    write(root, "kart_pipeline/__init__.py", '"""Package."""\n')
    write(root, "conf/param.ini", "[TaskOnKart]\nworkspace_directory = ./resources/\n")
    write(root, "LICENSE", "MIT License\n")
    return root


@pytest.mark.parametrize("source", ["bundled", ">=0.1,<0.2"])
def test_post_gen_on_a_project_with_a_broken_file_returns_1_and_says_why(
    defaults: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    project = minimal_project(tmp_path / "kart-pipeline")
    write(project, "kart_pipeline/model/sample.py", "class Sample(:\n    pass\n")
    context = {**cookiecutter_context(defaults, str(REPO_ROOT), tmp_path), "kartcore_source": source, "verify": "no"}
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "ERROR: the generated project failed verification: kart_pipeline/model/sample.py does not parse: SyntaxError"
    )
    assert names_line(captured.err, 1)


def test_post_gen_on_a_project_with_leftover_jinja_returns_1(
    defaults: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = minimal_project(tmp_path / "kart-pipeline")
    write(project, "README.md", "# {{ cookiecutter.project_name }}\n")
    context = {**cookiecutter_context(defaults, str(REPO_ROOT), tmp_path), "verify": "no"}
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 1
    assert "README.md:1 still holds template syntax '{{'" in capsys.readouterr().err


def test_post_gen_bundles_records_and_tidies_a_good_project(
    defaults: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = minimal_project(tmp_path / "kart-pipeline")
    context = {**cookiecutter_context(defaults, str(REPO_ROOT), tmp_path), "license": "Proprietary", "verify": "no"}
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 0
    assert capsys.readouterr() == ("", "")
    assert not (project / "LICENSE").exists()
    assert tree(project / "vendor" / "gokart-core" / "kartcore") == runtime_files()
    record = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert record["context"]["cookiecutter"]["license"] == "Proprietary"
    first = tree(project)
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 0  # cruft re-runs the hook: idempotent
    assert tree(project) == first


def test_post_gen_under_cruft_leaves_the_record_to_cruft(defaults: dict[str, Any], tmp_path: Path) -> None:
    # cruft writes .cruft.json itself; one from the hook would differ between the old and the new rendering
    # that `cruft update` compares, and come back as .cruft.json.rej
    project = minimal_project(tmp_path / "kart-pipeline")
    context = {**defaults, "_template": "https://github.com/org/repo.git", "_commit": "abc123", "verify": "no"}
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 0
    assert not (project / ".cruft.json").exists()
    assert (project / "vendor" / "gokart-core" / "kartcore" / "__init__.py").is_file()


def test_post_gen_with_a_version_spec_bundles_nothing(defaults: dict[str, Any], tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "kart-pipeline")
    context = {
        **cookiecutter_context(defaults, str(REPO_ROOT), tmp_path),
        "kartcore_source": ">=0.1,<0.2",
        "verify": "no",
    }
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 0
    assert not (project / "vendor").exists()
    assert (project / "LICENSE").exists()


def test_verify_yes_without_luigi_skips_with_a_clear_message(
    defaults: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hook_verify, "_importable", lambda name: name != "luigi")
    # no lock (as without a package index): the example and the tests would run with the hook's interpreter
    monkeypatch.setattr(checks, "lock_project", lambda *_: "lock: poetry.lock not written")
    project = minimal_project(tmp_path / "kart-pipeline")
    context = {**cookiecutter_context(defaults, str(REPO_ROOT), tmp_path), "verify": "yes"}
    assert checks.post_gen(context, project, TEMPLATE_ROOT) == 0
    out = capsys.readouterr().out
    assert "\nverify: skipped running the pipeline and the tests" in out
    assert "cannot import luigi. Run them with: cd kart-pipeline && poetry install" in out


@pytest.mark.parametrize(
    ("source", "unimportable", "named"),
    [
        ("bundled", {"luigi"}, "luigi"),
        ("bundled", {"luigi", "kartcore"}, "luigi"),  # the bundled copy is used, so kartcore is not needed
        (">=0.1,<0.2", {"luigi", "kartcore"}, "luigi, kartcore"),
        (">=0.1,<0.2", {"kartcore"}, "kartcore"),
    ],
)
def test_run_pipeline_and_tests_names_what_it_cannot_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, unimportable: set[str], named: str
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(hook_verify, "_importable", lambda name: name not in unimportable)
    monkeypatch.setattr(hook_verify, "_run", lambda command, *_: calls.append(command))
    message = hook_verify.run_pipeline_and_tests(tmp_path, {"package_name": "kart_pipeline", "kartcore_source": source})
    assert message.startswith("verify: skipped running the pipeline and the tests")
    assert f"({sys.executable}) cannot import {named}. Run them with:" in message
    assert "python main.py kart_pipeline.Sample --local-scheduler" in message
    assert calls == []  # nothing was run
