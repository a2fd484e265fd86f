"""Before generation: refuse bad answers, one message per bad answer naming the answer and the rule.

Also imported while cookiecutter renders (local_extensions.py checks project_name before cookiecutter
turns it into a directory).
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from typing import Any

from hook_common import BUNDLED

SUPPORTED_PYTHON = ("3.10", "3.11", "3.12", "3.13")
LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary")
#: Top-level names of the project's own layout.
LAYOUT_NAMES = {"main", "tests", "conf", "vendor", "deploy", "notebooks", "resources"}
#: Modules the project imports or runs, directly or through kartcore and its tools: a package of the
#: same name shadows them (with ``pandas``, every dump fails; with ``pytest``, the tests do not start).
IMPORTED_NAMES = {
    # the runtime and what it depends on
    *("kartcore", "gokart", "gokart_core", "luigi", "click", "tomli", "typing_extensions"),
    *("tornado", "tenacity", "dateutil", "daemon"),  # luigi's own dependencies
    # the formats and stores kartcore loads when a task uses them
    *("pandas", "numpy", "pyarrow", "polars", "cloudpickle", "dill", "fsspec", "s3fs", "gcsfs", "redis"),
    *("dask", "distributed", "boto3", "botocore", "matplotlib", "sklearn", "scipy"),
    # the project's tools
    *("pytest", "pluggy", "ruff", "mypy", "poetry", "uv", "pip", "setuptools", "wheel", "packaging"),
    *("cookiecutter", "cruft", "jinja2", "nbformat", "nbstripout", "ipykernel", "pre_commit"),
}
RESERVED_PACKAGES = LAYOUT_NAMES | IMPORTED_NAMES
#: The longest project or package name: the directory, the distribution and the image name stay usable.
MAX_NAME_LENGTH = 100
#: PEP 508 distribution names (what pip and Poetry accept), from the package name with ``_`` as ``-``.
DISTRIBUTION_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
#: An address Poetry's metadata check accepts ("must be email"): a local part and a dotted domain, no spaces.
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

_VERSION = r"[0-9][0-9A-Za-z.*+!-]*"
_CLAUSE = rf"\s*(~=|==|!=|<=|>=|<|>|===)\s*{_VERSION}\s*"
SPECIFIER = re.compile(rf"^(gokart-core)?\s*(\[[a-z0-9,\s-]+\])?{_CLAUSE}(,{_CLAUSE})*$")


def validate(answers: Mapping[str, Any]) -> list[str]:
    """One message per bad answer, naming the answer and the rule; empty when all are fine."""
    errors = []
    errors.extend(validate_package_name(str(answers.get("package_name", ""))))
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
    if not EMAIL.match(email) or ".." in email:
        errors.append(f"email {email!r} must be an address like you@example.com (a dotted domain, no spaces)")
    return errors


def validate_package_name(package: str) -> list[str]:
    """The package_name rule: an importable, installable name that shadows nothing the project uses."""
    distribution = package.replace("_", "-")
    if not package.isascii() or not package.isidentifier() or package != package.lower():
        return [f"package_name {package!r} must be a lowercase Python identifier (ASCII letters, digits, _)"]
    if len(package) > MAX_NAME_LENGTH:
        return [f"package_name is {len(package)} characters long; at most {MAX_NAME_LENGTH}"]
    if not DISTRIBUTION_NAME.match(distribution):
        return [
            f"package_name {package!r} makes the distribution name {distribution!r}, which pip and Poetry refuse "
            "(PEP 508: it must start and end with a letter or digit)"
        ]
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return [f"package_name {package!r} is a Python keyword; choose another name"]
    if package in sys.stdlib_module_names:
        return [f"package_name {package!r} is a standard-library module and would shadow it"]
    if package in IMPORTED_NAMES:
        return [f"package_name {package!r} is reserved: the project or its tools import a module of that name"]
    if package in LAYOUT_NAMES:
        return [f"package_name {package!r} is reserved: a top-level name of the project's layout"]
    return []


def validate_project_name(project: str) -> list[str]:
    """The project_name rule on its own: also checked while cookiecutter renders the answers (see
    local_extensions.py), because cookiecutter creates the project directory before pre_gen runs."""
    if not project.strip():
        return ["project_name must not be empty"]
    if any(separator in project for separator in ("/", "\\")) or project.strip() in {".", ".."}:
        return [f"project_name {project!r} must be a directory name, without path separators"]
    if project != project.strip() or any(ord(char) < 32 or ord(char) == 127 for char in project):
        return [f"project_name {project!r} must not start or end with spaces or hold control characters"]
    if project.startswith("-"):
        return [f"project_name {project!r} must not start with '-' (every command would take it for an option)"]
    if len(project) > MAX_NAME_LENGTH:
        return [f"project_name is {len(project)} characters long; at most {MAX_NAME_LENGTH}"]
    return []
