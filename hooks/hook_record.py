"""After generation: the ``.cruft.json`` record of the answers, so ``cruft check/update/diff`` follow the template.

A project made by plain ``cookiecutter`` (or ``kart new``) gets the record cruft itself would write: the
template as a location git can clone, the template's commit, the answers. A project made by cruft gets
none from here: cruft writes its own after generation, and while ``cruft update`` renders the old and the
new template a record from the hook would only differ between the two and end up as ``.cruft.json.rej``.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_common import JINJA_MARKERS

PRIVATE_CONTEXT_KEYS = {"_output_dir", "_repo_dir"}
#: cookiecutter's repository abbreviations, as the URLs git clones (cruft hands the template to git as it is).
ABBREVIATIONS = {
    "gh": "https://github.com/{}.git",
    "gl": "https://gitlab.com/{}.git",
    "bb": "https://bitbucket.org/{}",
}
GIT_TIMEOUT_SECONDS = 30


def made_by_cruft(context: Mapping[str, Any]) -> bool:
    """cruft (create, update, diff) adds ``_commit`` to the context; cookiecutter never does."""
    return "_commit" in context


def cruft_record(context: Mapping[str, Any], project_dir: Path, template_root: Path) -> dict[str, Any]:
    """A ``.cruft.json`` with the answers, the template's commit and a template reference git can clone.

    A local template is recorded relative to the project (no absolute path of this machine), which is where
    cruft runs; a remote one as a URL (``gh:org/repo`` becomes ``https://github.com/org/repo.git``).
    """
    typed = str(context.get("_template", ""))
    template = clonable(typed) if is_remote(typed) else os.path.relpath(template_root, project_dir)
    commit = git_commit(template_root)
    answers = {key: literal(value) for key, value in context.items() if key not in PRIVATE_CONTEXT_KEYS}
    answers["_template"] = template
    answers["_commit"] = commit
    return {
        "template": template,
        "commit": commit,
        "checkout": context.get("_checkout"),
        "context": {"cookiecutter": answers},
        "directory": None,
    }


def literal(value: Any) -> Any:
    """An answer as cruft must hand it back to cookiecutter, which renders the answers it is given again.

    ``{{ 7*7 }}`` kept literally in the project would become 49 on ``cruft update``: Jinja's raw block keeps it.
    """
    if isinstance(value, str) and any(marker in value for marker in JINJA_MARKERS) and "endraw" not in value:
        return "{% raw %}" + value + "{% endraw %}"
    return value


def is_remote(template: str) -> bool:
    """A repository cookiecutter clones (an abbreviation or a URL), as opposed to a local directory."""
    return bool(re.match(r"^(gh|gl|bb):", template)) or template.startswith(("git@", "git+")) or "://" in template


def clonable(template: str) -> str:
    """The template as git clones it: abbreviations expanded, cookiecutter's ``git+`` prefix dropped."""
    prefix, _, rest = template.partition(":")
    if prefix in ABBREVIATIONS and rest:
        return ABBREVIATIONS[prefix].format(rest.removesuffix(".git"))
    return template.removeprefix("git+")


def git_commit(template_root: Path) -> str | None:
    """The commit the template was rendered from, when its root is the top of a git work tree.

    None for a template outside git (``kart new`` from an installed wheel) or inside someone else's
    repository (a wheel installed in a virtualenv under a project's checkout).
    """
    try:
        top = _git(template_root, "rev-parse", "--show-toplevel")
        if top is None or Path(top).resolve() != template_root.resolve():
            return None
        return _git(template_root, "rev-parse", "HEAD")
    except OSError:  # no git on this machine
        return None


def _git(directory: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", *args], cwd=directory, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None
