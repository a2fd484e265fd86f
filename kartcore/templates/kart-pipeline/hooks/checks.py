"""What the template's hooks do, in one importable, standard-library-only module.

cookiecutter runs hooks with its own interpreter from a temporary copy, so the hook files are thin
shims that put this directory on ``sys.path`` and call :func:`pre_gen` or :func:`post_gen`. Tests
import this module directly.

* :func:`pre_gen` refuses bad answers before any file is written, one line per bad answer.
* :func:`post_gen` bundles the runtime into the project, drops what the answers did not select,
  records the answers for later updates (``.cruft.json``) and verifies the project: no unrendered
  Jinja, every Python file compiles, TOML/INI/YAML parse, and (``verify=yes``) the pipeline and the
  project's tests run in a throwaway workspace. It is idempotent, because cruft re-runs it.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SUPPORTED_PYTHON = ("3.10", "3.11", "3.12", "3.13")
LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary")
RESERVED_PACKAGES = {"kartcore", "luigi", "gokart", "gokart_core", "main", "tests", "conf", "vendor"}
BUNDLED = "bundled"
SCAFFOLDING_ONLY = {"cookiecutter"}
RUNTIME_PACKAGE = "kartcore"
DISTRIBUTION = "gokart-core"
TEMPLATES_DIR = "templates"
VENDOR_DIR = Path("vendor") / "gokart-core"
PRIVATE_CONTEXT_KEYS = {"_output_dir", "_repo_dir"}
VERIFY_TIMEOUT_SECONDS = 120

_VERSION = r"[0-9][0-9A-Za-z.*+!-]*"
_CLAUSE = rf"\s*(~=|==|!=|<=|>=|<|>|===)\s*{_VERSION}\s*"
SPECIFIER = re.compile(rf"^(gokart-core)?\s*(\[[a-z0-9,\s-]+\])?{_CLAUSE}(,{_CLAUSE})*$")
TEXT_SUFFIXES = {".py", ".toml", ".ini", ".cfg", ".yml", ".yaml", ".md", ".txt", ".json", ".csv", ""}


class VerificationError(Exception):
    """The generated project is not what it should be; the message says what and where."""


# ----- before generation --------------------------------------------------------------------------


def validate(answers: Mapping[str, Any]) -> list[str]:
    """One message per bad answer, naming the answer and the rule; empty when all are fine."""
    errors = []
    package = str(answers.get("package_name", ""))
    if not package.isidentifier() or package != package.lower():
        errors.append(f"package_name {package!r} must be a lowercase Python identifier (letters, digits, _)")
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        errors.append(f"package_name {package!r} is a Python keyword; choose another name")
    elif package in sys.stdlib_module_names:
        errors.append(f"package_name {package!r} is a standard-library module and would shadow it")
    elif package in RESERVED_PACKAGES:
        errors.append(f"package_name {package!r} is reserved (it clashes with the runtime or the project layout)")
    errors.extend(validate_project_name(str(answers.get("project_name", ""))))
    python = str(answers.get("python_version", ""))
    if python not in SUPPORTED_PYTHON:
        errors.append(f"python_version {python!r} is not supported; choose one of {', '.join(SUPPORTED_PYTHON)}")
    license_id = str(answers.get("license", ""))
    if license_id not in LICENSES:
        errors.append(f"license {license_id!r} is not offered; choose one of {', '.join(LICENSES)}")
    source = str(answers.get("kartcore_source", ""))
    if source != BUNDLED and not SPECIFIER.match(source):
        errors.append(f"kartcore_source {source!r} must be 'bundled' or a version specifier such as '>=0.1,<0.2'")
    if str(answers.get("verify", "")) not in {"yes", "no"}:
        errors.append(f"verify {answers.get('verify')!r} must be yes or no")
    for field in ("author", "package_description"):
        text = str(answers.get(field, ""))
        if "\\" in text or any(ord(char) < 32 or ord(char) == 127 for char in text):
            errors.append(f"{field} {text!r} must not hold backslashes or control characters")
    email = str(answers.get("email", ""))
    if "@" not in email or any(char in email for char in "\"' <>\\"):
        errors.append(f"email {email!r} must be an address like you@example.com")
    return errors


def validate_project_name(project: str) -> list[str]:
    """The project_name rule on its own: also checked while cookiecutter renders the answers (see
    local_extensions.py), because cookiecutter creates the project directory before pre_gen runs."""
    if not project.strip():
        return ["project_name must not be empty"]
    if any(separator in project for separator in ("/", "\\")) or project.strip() in {".", ".."}:
        return [f"project_name {project!r} must be a directory name, without path separators"]
    if project != project.strip() or any(ord(char) < 32 for char in project):
        return [f"project_name {project!r} must not start or end with spaces or hold control characters"]
    return []


def pre_gen(answers: Mapping[str, Any]) -> int:
    """The pre_gen_project hook: print the bad answers and return 1, or return 0."""
    errors = validate(answers)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


# ----- after generation ---------------------------------------------------------------------------


def runtime_package(template_root: Path) -> Path:
    """The kartcore package this template ships in: the template is ``kartcore/templates/<name>``."""
    package = template_root.parent.parent
    if template_root.parent.name != TEMPLATES_DIR or not (package / "__init__.py").is_file():
        raise VerificationError(
            f"cannot bundle kartcore: {template_root} is not a template inside the runtime package "
            f"({RUNTIME_PACKAGE}/{TEMPLATES_DIR}/)"
        )
    return package


def bundle_runtime(project_dir: Path, template_root: Path) -> Path:
    """Copy the kartcore package holding the template (without its templates) into ``vendor/gokart-core``."""
    source = runtime_package(template_root)
    metadata = runtime_metadata(source)
    vendor = project_dir / VENDOR_DIR
    if vendor.exists():
        shutil.rmtree(vendor)

    def ignored(directory: str, names: list[str]) -> set[str]:
        skipped = {TEMPLATES_DIR, "__pycache__"} if Path(directory) == source else {"__pycache__"}
        return {name for name in names if name in skipped or name.endswith(".pyc")}

    shutil.copytree(source, vendor / RUNTIME_PACKAGE, ignore=ignored)
    if metadata.get("license_file"):
        shutil.copy2(metadata["license_file"], vendor / "LICENSE")
    (vendor / "pyproject.toml").write_text(vendored_pyproject(metadata), encoding="utf-8")
    return vendor


def runtime_metadata(package: Path) -> dict[str, Any]:
    """Name, version, requires-python, dependencies and license file of the distribution holding ``package``.

    In a checkout (also cookiecutter's clone of ``gh:<org>/<repo>``) that is the repository's pyproject.toml
    next to the package; installed from a wheel (``kart new``) it is the distribution's own metadata.
    """
    pyproject = package.parent / "pyproject.toml"
    if pyproject.is_file():
        project = read_project_table(pyproject)
        if project.get("name") == DISTRIBUTION:
            license_file = package.parent / "LICENSE"
            return {**project, "license_file": license_file if license_file.is_file() else None}
    return installed_metadata(package)


def installed_metadata(package: Path) -> dict[str, Any]:
    """The metadata of the installed distribution that sits next to ``package`` (the same site-packages)."""
    from importlib import metadata

    for dist in metadata.distributions(path=[str(package.parent)]):
        if re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower() != DISTRIBUTION:
            continue
        licenses = [
            file
            for file in dist.files or []
            if ".dist-info" in file.parts[0] and file.name.upper().startswith(("LICENSE", "COPYING"))
        ]
        return {
            "name": DISTRIBUTION,
            "version": dist.version,
            "requires-python": dist.metadata["Requires-Python"] or "",
            "dependencies": [
                _pep508(requirement)
                for requirement in dist.requires or []
                if not re.search(r"\bextra\s*==", requirement)
            ],
            "scripts": {entry.name: entry.value for entry in dist.entry_points if entry.group == "console_scripts"},
            "license_file": Path(str(dist.locate_file(licenses[0]))) if licenses else None,
        }
    raise VerificationError(
        f"cannot bundle kartcore: neither {package.parent / 'pyproject.toml'} nor an installed {DISTRIBUTION} "
        f"next to {package} says which version and dependencies it has"
    )


def _pep508(requirement: str) -> str:
    """``luigi (>=3.5,<4) ; python_version < "3.11"`` (wheel metadata) as pyproject has it: ``luigi>=3.5,<4; ...``."""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*\(([^)]*)\)\s*(?:;\s*(.*))?", requirement)
    if not match:
        return requirement
    name, specifier, marker = match.groups()
    return f"{name}{specifier.replace(' ', '')}" + (f"; {marker.strip()}" if marker else "")


def runtime_dependencies(dependencies: list[str]) -> list[str]:
    """The runtime's dependencies a generated project needs: without those only ``kart new`` uses.

    cookiecutter (and its ~20 dependencies) scaffolds projects; a pipeline and its Docker image do not
    need it, and ``kart new`` says how to install it when it is missing.
    """
    return [item for item in dependencies if _requirement_name(item) not in SCAFFOLDING_ONLY]


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0].lower()


def vendored_pyproject(metadata: Mapping[str, Any]) -> str:
    """The vendored runtime's pyproject: the runtime's name, version, scripts and (runtime) dependencies."""
    dependencies = "".join(f"    {json.dumps(item)},\n" for item in runtime_dependencies(metadata["dependencies"]))
    scripts = "".join(
        f"{json.dumps(name)} = {json.dumps(target)}\n" for name, target in sorted(metadata["scripts"].items())
    )
    return (
        "# A copy of the kartcore runtime bundled by the project template; see the template for its source.\n"
        "[project]\n"
        f'name = "{metadata["name"]}"\n'
        f'version = "{metadata["version"]}"\n'
        'description = "kartcore runtime (bundled copy)"\n'
        f'requires-python = "{metadata["requires-python"]}"\n'
        'license = "MIT"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        + (f"[project.scripts]\n{scripts}\n" if scripts else "")
        + "[tool.poetry]\n"
        f'packages = [{{ include = "{RUNTIME_PACKAGE}" }}]\n\n'
        "[build-system]\n"
        'requires = ["poetry-core>=2.0.0,<3.0.0"]\n'
        'build-backend = "poetry.core.masonry.api"\n'
    )


def read_project_table(pyproject: Path) -> dict[str, Any]:
    """``[project]`` name, version, requires-python, dependencies and scripts of a pyproject.toml."""
    text = pyproject.read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        project = tomllib.loads(text)["project"]
        return {**project, "scripts": project.get("scripts", {})}
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]  # pragma: no cover - Python 3.10 only
    fields: dict[str, Any] = dict(re.findall(r'^(name|version|requires-python)\s*=\s*"([^"]*)"', section, re.M))
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", section, re.M | re.S)
    fields["dependencies"] = re.findall(r'"([^"]+)"', block.group(1) if block else "")
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0] if "[project.scripts]" in text else ""
    fields["scripts"] = dict(re.findall(r'^([\w.-]+)\s*=\s*"([^"]+)"', scripts, re.M))
    return fields


def remove_unselected(project_dir: Path, answers: Mapping[str, Any]) -> None:
    """Drop files the answers did not ask for (no LICENSE for a proprietary project)."""
    if answers.get("license") == "Proprietary":
        (project_dir / "LICENSE").unlink(missing_ok=True)


def cruft_record(
    context: Mapping[str, Any], project_dir: Path, template_root: Path, source: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A ``.cruft.json`` with the answers and a template reference that holds no absolute path.

    ``source`` is what the user gave cookiecutter (see local_extensions.template_source): for the
    repository's nested-template pointer, the repository and ``directory`` = the template inside it, as
    ``cruft update`` wants them. Without it, the template is the context's ``_template``.
    """
    source = source or {}
    template = str(source.get("template") or context.get("_template", ""))
    directory = source.get("directory") or None
    if not _is_remote(template):
        root = template_root
        if directory:
            root = Path(os.path.normpath(template_root.joinpath(*[os.pardir] * len(Path(directory).parts))))
        template = os.path.relpath(root, project_dir)
    answers = {key: value for key, value in context.items() if key not in PRIVATE_CONTEXT_KEYS}
    answers["_template"] = template
    return {
        "template": template,
        "commit": None,
        "checkout": source.get("checkout", context.get("_checkout")),
        "context": {"cookiecutter": answers},
        "directory": directory,
    }


def _is_remote(template: str) -> bool:
    return template.startswith(("gh:", "gl:", "bb:", "git@", "git+")) or "://" in template


def post_gen(
    context: Mapping[str, Any], project_dir: Path, template_root: Path, source: Mapping[str, Any] | None = None
) -> int:
    """The post_gen_project hook: bundle, tidy, record, verify; print the reason and return 1 on failure."""
    try:
        if context.get("kartcore_source") == BUNDLED:
            bundle_runtime(project_dir, template_root)
        remove_unselected(project_dir, context)
        record = cruft_record(context, project_dir, template_root, source)
        (project_dir / ".cruft.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        check_files(project_dir)
        if context.get("verify") == "yes":
            print(run_pipeline_and_tests(project_dir, context))
    except VerificationError as exc:
        print(f"ERROR: the generated project failed verification: {exc}", file=sys.stderr)
        return 1
    return 0


# ----- verification -------------------------------------------------------------------------------


def project_files(project_dir: Path) -> list[Path]:
    """The project's own files (not the bundled runtime, caches or the workspace)."""
    skipped = {VENDOR_DIR.parts[0], ".git", ".venv", "__pycache__", "resources", ".mypy_cache", ".pytest_cache"}
    return sorted(
        path
        for path in project_dir.rglob("*")
        if path.is_file() and not skipped.intersection(path.relative_to(project_dir).parts)
    )


def check_files(project_dir: Path) -> None:
    """No unrendered Jinja, every Python file compiles, every TOML/INI/YAML file parses."""
    for path in project_files(project_dir):
        relative = path.relative_to(project_dir)
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        for marker in ("{{", "{%", "{#"):
            if marker in text:
                line = text[: text.index(marker)].count("\n") + 1
                raise VerificationError(f"{relative}:{line} still holds template syntax {marker!r}")
        _check_syntax(path, relative, text)


def _check_syntax(path: Path, relative: Path, text: str) -> None:
    try:
        if path.suffix == ".py":
            compile(text, str(relative), "exec")
        elif path.suffix == ".toml" and sys.version_info >= (3, 11):
            import tomllib

            tomllib.loads(text)
        elif path.suffix in {".ini", ".cfg"}:
            configparser.ConfigParser(interpolation=None).read_string(text, source=str(relative))
        elif path.suffix in {".yml", ".yaml"} and importlib.util.find_spec("yaml") is not None:
            import yaml

            list(yaml.safe_load_all(text))  # Kubernetes manifests hold several documents
        elif path.suffix == ".json":
            json.loads(text)
    except Exception as exc:  # each parser has its own error type; any of them means a broken file
        raise VerificationError(f"{relative} does not parse: {type(exc).__name__}: {exc}") from None


def run_pipeline_and_tests(project_dir: Path, context: Mapping[str, Any]) -> str:
    """Run ``main.py <package>.Sample`` and the project's tests in a throwaway workspace, if this Python can."""
    package = context["package_name"]
    bundled = context.get("kartcore_source") == BUNDLED
    missing = [name for name in ("luigi",) + (() if bundled else ("kartcore",)) if not _importable(name)]
    how = (
        f"cd {project_dir.name} && poetry install && poetry run python main.py {package}.Sample --local-scheduler"
        " && poetry run pytest"
    )
    if missing:
        return (
            f"verify: skipped running the pipeline and the tests: this Python ({sys.executable}) cannot import "
            f"{', '.join(missing)}. Run them with: {how}"
        )
    environment = _environment(project_dir, bundled)
    with tempfile.TemporaryDirectory(prefix="kart-verify-") as workspace:
        pipeline = _run(
            [
                sys.executable,
                "main.py",
                f"{package}.Sample",
                "--local-scheduler",
                "--no-lock",
                f"--TaskOnKart-workspace-directory={workspace}",
            ],
            project_dir,
            environment,
        )
        if pipeline.returncode != 0:
            raise VerificationError(f"`python main.py {package}.Sample --local-scheduler` failed:\n{pipeline.stderr}")
        if not list(Path(workspace).rglob("Sample_*.pkl")):
            raise VerificationError(f"`python main.py {package}.Sample` wrote no Sample output")
    if not _importable("pytest"):
        return f"verify: the pipeline ran; skipped the tests (this Python cannot import pytest). Run them with: {how}"
    tests = _run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], project_dir, environment)
    if tests.returncode != 0:
        raise VerificationError(f"the project's tests failed:\n{tests.stdout[-4000:]}{tests.stderr[-2000:]}")
    return f"verify: the pipeline ran and the tests passed ({tests.stdout.strip().splitlines()[-1]})"


def _importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _environment(project_dir: Path, bundled: bool) -> dict[str, str]:
    paths = [str(project_dir / VENDOR_DIR)] if bundled else []
    paths.append(str(project_dir))
    existing = os.environ.get("PYTHONPATH")
    if existing:
        paths.append(existing)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def _run(command: list[str], cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=VERIFY_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise VerificationError(f"`{' '.join(command)}` took longer than {VERIFY_TIMEOUT_SECONDS} s") from None
