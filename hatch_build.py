"""Build hook: the wheel carries the root cookiecutter template as package data, for ``kart new``.

The template is the repository root (``cookiecutter gh:<org>/<repo>`` renders it with no "Select a template"
question); an installed wheel has no root, so the build copies the template's files into
``kartcore/templates/kart-pipeline``, where kartcore/cli/new.py looks first. An editable install gets
nothing (a copy there would go stale as the template is edited): it finds the template at the root.
Caches and bytecode are left out (hatchling leaves ``__pycache__`` and tool caches out of forced files).
"""

from __future__ import annotations

import os
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGED_TEMPLATE = "kartcore/templates/kart-pipeline"
TEMPLATE_FILES = ("cookiecutter.json", "hooks", "local_extensions.py", "{{cookiecutter.project_name}}")


class TemplateAsPackageData(BuildHookInterface):
    """Maps the root template into the package of a standard (not editable) wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add the template's files to the wheel's forced inclusions, under the package."""
        if self.target_name != "wheel" or version == "editable":
            return
        for name in TEMPLATE_FILES:
            build_data["force_include"][os.path.join(self.root, name)] = f"{PACKAGED_TEMPLATE}/{name}"
