"""Jinja extension for the template: where its files are, and what the user asked cookiecutter for.

cookiecutter hands hooks ``_repo_dir`` exactly as the user typed it (relative for ``cookiecutter .``),
while the hooks run inside the new project, where a relative path points nowhere. This module is
imported while cookiecutter renders (cwd and ``sys.path`` still point at the template), so its own
location is the reliable answer.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from cookiecutter import main as cookiecutter_main
from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

TEMPLATE_ROOT = os.path.dirname(os.path.abspath(__file__))
if os.path.join(TEMPLATE_ROOT, "hooks") not in sys.path:
    sys.path.insert(0, os.path.join(TEMPLATE_ROOT, "hooks"))

import hook_answers  # noqa: E402  (hooks/hook_answers.py, standard library only)


def checked_project_name(value: str) -> str:
    """The project_name answer, refused before cookiecutter turns it into a directory."""
    errors = hook_answers.validate_project_name(str(value))
    if errors:
        for error in errors:
            print(f"ERROR: {error}", file=sys.stderr)
        raise FailedHookException("Stopped before creating the project directory: bad project_name")
    return value


def template_source() -> dict[str, Any]:
    """The template, checkout and directory the user gave cookiecutter, for ``.cruft.json``.

    ``cookiecutter gh:<org>/<repo>`` finds the repository's nested-template pointer and calls
    ``cookiecutter()`` again with the absolute path of this template, which is all its context keeps.
    The outermost ``cookiecutter()`` call on the stack still holds what was asked for. Empty when
    cookiecutter is driven some other way (cruft records its own).
    """
    frame, outer = sys._getframe(), None
    while frame is not None:
        if frame.f_code is cookiecutter_main.cookiecutter.__code__:
            outer = frame.f_locals
        frame = frame.f_back
    if outer is None or not isinstance(outer.get("template"), str):
        return {}
    directory = outer.get("directory") or ""
    repo_dir = outer.get("repo_dir")
    if isinstance(repo_dir, (str, os.PathLike)):
        inside = os.path.relpath(TEMPLATE_ROOT, os.path.abspath(repo_dir))
        if inside != os.curdir and not inside.startswith(os.pardir):
            directory = os.path.join(directory, inside)
    directory = directory.replace(os.sep, "/").strip("/")
    return {"template": outer["template"], "checkout": outer.get("checkout"), "directory": directory or None}


class TemplateRootExtension(Extension):
    """Adds ``template_root`` (the template's absolute path) and ``template_source`` (see above)."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_root"] = TEMPLATE_ROOT
        environment.globals["template_source"] = template_source()
        environment.filters["checked_project_name"] = checked_project_name
