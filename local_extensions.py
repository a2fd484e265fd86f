"""Jinja extension for the template: where this template's files are, as an absolute path.

cookiecutter hands hooks ``_repo_dir`` exactly as the user typed it (relative for ``cookiecutter .``),
while the hooks run inside the new project, where a relative path points nowhere. This module is
imported while cookiecutter renders (cwd and ``sys.path`` still point at the template), so its own
location is the reliable answer.
"""

from __future__ import annotations

import os
import sys

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

TEMPLATE_ROOT = os.path.dirname(os.path.abspath(__file__))
if os.path.join(TEMPLATE_ROOT, "hooks") not in sys.path:
    sys.path.insert(0, os.path.join(TEMPLATE_ROOT, "hooks"))

import checks  # noqa: E402  (hooks/checks.py, standard library only)


def checked_project_name(value: str) -> str:
    """The project_name answer, refused before cookiecutter turns it into a directory."""
    errors = checks.validate_project_name(str(value))
    if errors:
        for error in errors:
            print(f"ERROR: {error}", file=sys.stderr)
        raise FailedHookException("Stopped before creating the project directory: bad project_name")
    return value


class TemplateRootExtension(Extension):
    """Adds ``template_root``: the absolute path of the template repository."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_root"] = TEMPLATE_ROOT
        environment.filters["checked_project_name"] = checked_project_name
