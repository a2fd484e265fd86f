"""After generation: every file of the project is rendered and parses (no Jinja left, Python compiles,
TOML/INI/YAML/JSON load)."""

from __future__ import annotations

import configparser
import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_common import JINJA_MARKERS, VENDOR_DIR, VerificationError

RECORD = Path(".cruft.json")
TEXT_SUFFIXES = {".py", ".toml", ".ini", ".cfg", ".yml", ".yaml", ".md", ".txt", ".json", ".ipynb", ".csv", ""}


def project_files(project_dir: Path) -> list[Path]:
    """The project's own files (not the bundled runtime, caches or the workspace)."""
    skipped = {VENDOR_DIR.parts[0], ".git", ".venv", "__pycache__", "resources", ".mypy_cache", ".pytest_cache"}
    return sorted(
        path
        for path in project_dir.rglob("*")
        if path.is_file() and not skipped.intersection(path.relative_to(project_dir).parts)
    )


def check_files(project_dir: Path, answers: Mapping[str, Any] | None = None) -> None:
    """No unrendered Jinja, every Python file compiles, every TOML/INI/YAML file parses.

    The answers' own text is not template syntax: a description such as ``{{ 7*7 }}`` is kept literally
    (``kart new`` passes it so), and ``.cruft.json`` is the hooks' record of the answers, not a rendered file.
    """
    literal = sorted(_literal_answers(answers or {}), key=len, reverse=True)
    for path in project_files(project_dir):
        relative = path.relative_to(project_dir)
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        if relative == RECORD:
            _check_syntax(path, relative, text)
            continue
        scanned = text.replace("${{", "$..")  # GitHub Actions expressions (CI) are not Jinja
        for answer in literal:
            scanned = scanned.replace(answer, "")
        for marker in JINJA_MARKERS:
            if marker in scanned:
                line = scanned[: scanned.index(marker)].count("\n") + 1
                raise VerificationError(f"{relative}:{line} still holds template syntax {marker!r}")
        _check_syntax(path, relative, text)


def _literal_answers(answers: Mapping[str, Any]) -> set[str]:
    """The answers that hold Jinja syntax, as the files hold them (the template writes some with ' for ")."""
    texts = {value for value in answers.values() if isinstance(value, str) and any(m in value for m in JINJA_MARKERS)}
    return texts | {text.replace('"', "'") for text in texts}


def _check_syntax(path: Path, relative: Path, text: str) -> None:
    try:
        if path.suffix == ".py":
            compile(text, str(relative), "exec")
        elif path.suffix == ".toml" and sys.version_info >= (3, 11):
            import tomllib

            tomllib.loads(text)
        elif path.suffix in {".ini", ".cfg"}:
            configparser.ConfigParser(interpolation=None).read_string(text, source=str(relative))
        elif path.suffix in {".yml", ".yaml"} and importlib.util.find_spec("yaml") is not None:
            import yaml

            list(yaml.safe_load_all(text))  # Kubernetes manifests hold several documents
        elif path.suffix in {".json", ".ipynb"}:
            json.loads(text)
    except Exception as exc:  # each parser has its own error type; any of them means a broken file
        raise VerificationError(f"{relative} does not parse: {type(exc).__name__}: {exc}") from None
