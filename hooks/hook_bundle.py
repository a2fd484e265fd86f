"""After generation: bundle the kartcore package that comes with the template into ``vendor/gokart-core``.

The copy leaves out the template (package data in a wheel); its pyproject is written from the runtime's own
metadata (the repository's pyproject.toml in a checkout, the installed distribution's metadata from a wheel),
without the dependencies only ``kart new`` needs, and with the runtime's extras (``dask``, ``s3``, ...): the
generated README tells users to depend on ``gokart-core[dask]``, which names nothing without them.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_common import RUNTIME_PACKAGE, VENDOR_DIR, VerificationError

SCAFFOLDING_ONLY = {"cookiecutter"}
#: The runtime's extras a project cannot use: its own development tools.
DEVELOPMENT_EXTRAS = {"dev"}
#: A TOML array of strings (which may hold brackets: ``"dask[distributed]"``); group 1 is its inside.
STRING_LIST = r'\[((?:\s*"[^"]*"\s*,?)*)\s*\]'
#: ``extra == "dask"``, the clause of a wheel's Requires-Dist marker that names the extra.
EXTRA_CLAUSE = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")
DISTRIBUTION = "gokart-core"
TEMPLATES_DIR = "templates"


def runtime_package(template_root: Path) -> Path:
    """The kartcore package that comes with this template.

    In a checkout (or cookiecutter's and cruft's clone of the repository) the template is the repository
    root and the package sits beside ``hooks/``; in an installed wheel the template is package data,
    ``kartcore/templates/<name>``.
    """
    beside = template_root / RUNTIME_PACKAGE
    if (beside / "__init__.py").is_file():
        return beside
    package = template_root.parent.parent
    if template_root.parent.name == TEMPLATES_DIR and (package / "__init__.py").is_file():
        return package
    raise VerificationError(
        f"cannot bundle kartcore: {template_root} is neither the repository root (with {RUNTIME_PACKAGE}/ beside "
        f"the template) nor a template inside the runtime package ({RUNTIME_PACKAGE}/{TEMPLATES_DIR}/)"
    )


def bundle_runtime(project_dir: Path, template_root: Path) -> Path:
    """Copy the kartcore package that comes with the template (without the template) into ``vendor/gokart-core``."""
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
        extras: dict[str, list[str]] = {}
        for requirement in dist.requires or []:
            extra = EXTRA_CLAUSE.search(requirement)
            if extra:
                extras.setdefault(extra.group(1), []).append(_without_extra_clause(requirement))
        return {
            "name": DISTRIBUTION,
            "version": dist.version,
            "requires-python": dist.metadata["Requires-Python"] or "",
            "dependencies": [
                _pep508(requirement) for requirement in dist.requires or [] if not EXTRA_CLAUSE.search(requirement)
            ],
            "optional-dependencies": extras,
            "scripts": {entry.name: entry.value for entry in dist.entry_points if entry.group == "console_scripts"},
            "license_file": Path(str(dist.locate_file(licenses[0]))) if licenses else None,
        }
    raise VerificationError(
        f"cannot bundle kartcore: neither {package.parent / 'pyproject.toml'} nor an installed {DISTRIBUTION} "
        f"next to {package} says which version and dependencies it has"
    )


def _without_extra_clause(requirement: str) -> str:
    """``s3fs (>=2023.6) ; extra == "s3"`` as the extra's own requirement: ``s3fs>=2023.6``."""
    requirement, _, marker = requirement.partition(";")
    clauses = [clause for clause in re.split(r"\s+and\s+", marker.strip()) if not EXTRA_CLAUSE.fullmatch(clause)]
    kept = " and ".join(clause for clause in clauses if clause)
    return _pep508(f"{requirement.strip()} ; {kept}" if kept else requirement.strip())


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
    """The vendored runtime's pyproject: the runtime's name, version, scripts, (runtime) dependencies and extras."""
    dependencies = "".join(f"    {json.dumps(item)},\n" for item in runtime_dependencies(metadata["dependencies"]))
    scripts = "".join(
        f"{json.dumps(name)} = {json.dumps(target)}\n" for name, target in sorted(metadata["scripts"].items())
    )
    extras = "".join(
        f"{name} = {json.dumps(items)}\n"
        for name, items in sorted(metadata.get("optional-dependencies", {}).items())
        if name not in DEVELOPMENT_EXTRAS
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
        + (f"[project.optional-dependencies]\n{extras}\n" if extras else "")
        + (f"[project.scripts]\n{scripts}\n" if scripts else "")
        + "[tool.poetry]\n"
        f'packages = [{{ include = "{RUNTIME_PACKAGE}" }}]\n\n'
        "[build-system]\n"
        'requires = ["poetry-core>=2.0.0,<3.0.0"]\n'
        'build-backend = "poetry.core.masonry.api"\n'
    )


def read_project_table(pyproject: Path) -> dict[str, Any]:
    """``[project]`` name, version, requires-python, dependencies, extras and scripts of a pyproject.toml."""
    text = pyproject.read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        project = tomllib.loads(text)["project"]
        return {
            **project,
            "scripts": project.get("scripts", {}),
            "optional-dependencies": project.get("optional-dependencies", {}),
        }
    text = re.sub(r'("[^"\n]*")|#[^\n]*', lambda match: match.group(1) or "", text)  # comments may hold [ ]
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]  # pragma: no cover - Python 3.10 only
    fields: dict[str, Any] = dict(re.findall(r'^(name|version|requires-python)\s*=\s*"([^"]*)"', section, re.M))
    block = re.search(rf"^dependencies\s*=\s*{STRING_LIST}", section, re.M)
    fields["dependencies"] = re.findall(r'"([^"]+)"', block.group(1) if block else "")
    scripts = _table(text, "project.scripts")
    fields["scripts"] = dict(re.findall(r'^([\w.-]+)\s*=\s*"([^"]+)"', scripts, re.M))
    optional = _table(text, "project.optional-dependencies")
    fields["optional-dependencies"] = {
        name: re.findall(r'"([^"]+)"', items)
        for name, items in re.findall(rf"^([\w.-]+)\s*=\s*{STRING_LIST}", optional, re.M)
    }
    return fields


def _table(text: str, name: str) -> str:
    """The body of ``[name]`` in TOML text without comments (empty when there is none); Python 3.10 only."""
    header = f"[{name}]"
    return text.split(header, 1)[1].split("\n[", 1)[0] if header in text else ""
