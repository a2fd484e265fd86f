"""After generation: the ``.cruft.json`` record of the answers, so ``cruft update`` can follow the template."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PRIVATE_CONTEXT_KEYS = {"_output_dir", "_repo_dir"}


def cruft_record(
    context: Mapping[str, Any], project_dir: Path, template_root: Path, source: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A ``.cruft.json`` with the answers and a template reference that holds no absolute path.

    ``source`` is what the user gave cookiecutter (see local_extensions.template_source): for the
    repository's nested-template pointer, the repository and ``directory`` = the template inside it, as
    ``cruft update`` wants them. Without it, the template is the context's ``_template``.
    """
    source = source or {}
    template = str(source.get("template") or context.get("_template", ""))
    directory = source.get("directory") or None
    if not _is_remote(template):
        root = template_root
        if directory:
            root = Path(os.path.normpath(template_root.joinpath(*[os.pardir] * len(Path(directory).parts))))
        template = os.path.relpath(root, project_dir)
    answers = {key: value for key, value in context.items() if key not in PRIVATE_CONTEXT_KEYS}
    answers["_template"] = template
    return {
        "template": template,
        "commit": None,
        "checkout": source.get("checkout", context.get("_checkout")),
        "context": {"cookiecutter": answers},
        "directory": directory,
    }


def _is_remote(template: str) -> bool:
    return template.startswith(("gh:", "gl:", "bb:", "git@", "git+")) or "://" in template
