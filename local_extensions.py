"""Jinja extension for the template: where this template's files are, as an absolute path.

cookiecutter hands hooks ``_repo_dir`` exactly as the user typed it (relative for ``cookiecutter .``),
while the hooks run inside the new project, where a relative path points nowhere. This module is
imported while cookiecutter renders (cwd and ``sys.path`` still point at the template), so its own
location is the reliable answer.
"""

from __future__ import annotations

import os

from jinja2.ext import Extension

TEMPLATE_ROOT = os.path.dirname(os.path.abspath(__file__))


class TemplateRootExtension(Extension):
    """Adds ``template_root``: the absolute path of the template repository."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_root"] = TEMPLATE_ROOT
