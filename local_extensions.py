"""Jinja extension for the template: where the template being rendered is, and the answers' own checks.

cookiecutter hands hooks ``_repo_dir`` exactly as the user typed it (relative for ``cookiecutter .``), cruft
hands them nothing of the kind, and the hooks run inside the new project, where a relative path points
nowhere. Both render the hook scripts with the template's root as the working directory, so that is the
reliable answer (:func:`template_root`). This module's own location is not: an editable install of
gokart-core puts its checkout on ``sys.path`` before the template cookiecutter or cruft adds, so the
``local_extensions`` imported may be the checkout's while a clone of the template is rendered.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

HOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hooks")
if HOOKS not in sys.path:
    sys.path.insert(0, HOOKS)

import hook_answers  # noqa: E402  (hooks/hook_answers.py, standard library only)


def checked_project_name(value: str) -> str:
    """The project_name answer, refused before cookiecutter turns it into a directory."""
    errors = hook_answers.validate_project_name(str(value))
    if errors:
        for error in errors:
            print(f"ERROR: {error}", file=sys.stderr)
        raise FailedHookException("Stopped before creating the project directory: bad project_name")
    return value


def kubernetes_name(value: str) -> str:
    """A project name as a Kubernetes object name and label value: a DNS label (``a-z0-9-``, alphanumeric at both
    ends), at most 40 characters so that suffixes such as ``-dask-driver`` stay within the 63 allowed.

    Project names may hold capitals, spaces or dots ("My Pipeline"), which the API server refuses in an object
    name or a label: the manifests would fail at ``kubectl apply``, long after generation.
    """
    name = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")[:40].rstrip("-")
    return name or "kartcore-project"


def template_root() -> str:
    """The root of the template being rendered: the working directory while a hook script is rendered.

    Only meaningful inside the hook scripts (cookiecutter's ``run_hook_from_repo_dir`` works in the template).
    """
    return os.getcwd()


def hook_json(value: Any) -> str:
    """The context as JSON for the hook scripts; what JSON cannot hold (cruft's git references) as text."""
    return json.dumps(value, default=str)


class TemplateRootExtension(Extension):
    """Adds ``template_root()`` (see above) and the ``hook_json``, ``checked_project_name`` and ``kubernetes_name``
    filters."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_root"] = template_root
        environment.filters["hook_json"] = hook_json
        environment.filters["checked_project_name"] = checked_project_name
        environment.filters["kubernetes_name"] = kubernetes_name
