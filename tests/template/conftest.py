"""Template tests bake from this repository and import the template's hook modules directly.

hooks/checks.py holds the two entry points; hooks/hook_*.py one job each.

The template is package data, ``kartcore/templates/kart-pipeline`` (what ``kart new`` renders); the
repository root's cookiecutter.json is a nested-template pointer to it, for ``cookiecutter <checkout>``
and ``cookiecutter gh:<org>/<repo>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRECTORY = "kartcore/templates/kart-pipeline"
TEMPLATE_ROOT = REPO_ROOT / TEMPLATE_DIRECTORY
HOOKS = TEMPLATE_ROOT / "hooks"
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))
