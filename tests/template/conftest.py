"""Template tests bake from this repository and import the template's hook modules directly.

hooks/checks.py holds the two entry points; hooks/hook_*.py one job each.

The template is the repository root (cookiecutter.json, hooks/, local_extensions.py and
``{{cookiecutter.project_name}}/`` beside kartcore/), so ``cookiecutter <checkout>`` and ``cookiecutter
gh:<org>/<repo>`` render it with no "Select a template" question. The wheel carries the same files as package
data in ``kartcore/templates/kart-pipeline`` (pyproject.toml), which is what ``kart new`` renders when installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ROOT = REPO_ROOT
#: The template's files at the root, as the build maps them into the wheel.
TEMPLATE_FILES = ("cookiecutter.json", "hooks", "local_extensions.py", "{{cookiecutter.project_name}}")
#: Where the wheel carries the template (inside the kartcore package).
PACKAGED_TEMPLATE = "kartcore/templates/kart-pipeline"
HOOKS = TEMPLATE_ROOT / "hooks"
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))


def copy_template(destination: Path) -> Path:
    """The root template's files (no bytecode) copied into ``destination``, as the wheel or a clone holds them."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    destination.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def cookiecutter_env(directory: Path) -> dict[str, str]:
    """The environment for cookiecutter and cruft with a user config keeping clones and replays in ``directory``."""
    config = directory / "cookiecutter-config.yaml"
    config.write_text(
        f'cookiecutters_dir: "{directory / "cookiecutters"}"\nreplay_dir: "{directory / "replay"}"\n', encoding="utf-8"
    )
    return {**os.environ, "COOKIECUTTER_CONFIG": str(config)}


def run_tool(tool: str, *args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One of this virtualenv's commands (kart, cookiecutter, cruft) as a user runs it, without input."""
    return subprocess.run(
        [str(Path(sys.executable).with_name(tool)), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
