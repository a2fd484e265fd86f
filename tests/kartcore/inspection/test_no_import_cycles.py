"""No two modules of kartcore.inspection import each other, even lazily inside a function.

Checked with ``ast`` (nothing is imported), like tests/test_module_budget.py, so a lazy import that
import-linter's graph would also see fails here with the two module names. Shared code goes into a
module both import (``view`` holds what ``render`` and ``html`` share).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "kartcore" / "inspection"
NAME = "kartcore.inspection"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def _siblings_imported_by(module: str) -> set[str]:
    """The modules of the package that ``module`` imports (at top level or inside functions)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from .x import y
                base = node.module or ""
                names = [base] if base else [alias.name for alias in node.names]
                names = [f"{NAME}.{name}" for name in names]
            elif node.module == NAME:
                names = [f"{NAME}.{alias.name}" for alias in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            if name.startswith(f"{NAME}."):
                found.add(name[len(NAME) + 1 :].split(".")[0])
    return found - {module}


IMPORTS = {module: _siblings_imported_by(module) for module in MODULES}


def test_the_modules_are_found() -> None:
    assert {"tree", "render", "html", "view", "history", "workspace"} <= set(MODULES)
    assert IMPORTS["render"] >= {"html", "view", "tree"}


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_part_of_an_import_cycle(module: str) -> None:
    """Follows the imports from ``module``; getting back to it is a cycle, reported as the path."""
    stack: list[list[str]] = [[module, imported] for imported in sorted(IMPORTS[module])]
    seen: set[str] = set()
    while stack:
        path = stack.pop()
        if path[-1] == module:
            pytest.fail(f"import cycle in {NAME}: {' -> '.join(path)}")
        if path[-1] in seen:
            continue
        seen.add(path[-1])
        stack.extend([*path, imported] for imported in sorted(IMPORTS.get(path[-1], ())))
