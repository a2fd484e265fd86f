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
RESERVED_PACKAGES = {"kartcore", "luigi", "gokart", "gokart_core", "main", "tests", "conf", "vendor"}

_VERSION = r"[0-9][0-9A-Za-z.*+!-]*"
_CLAUSE = rf"\s*(~=|==|!=|<=|>=|<|>|===)\s*{_VERSION}\s*"
SPECIFIER = re.compile(rf"^(gokart-core)?\s*(\[[a-z0-9,\s-]+\])?{_CLAUSE}(,{_CLAUSE})*$")


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
