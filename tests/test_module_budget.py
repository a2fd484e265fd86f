"""Size and naming rules for the kartcore package, checked with ``ast`` (nothing is imported).

* A module of at most 400 lines can be read in one sitting; beyond that it is doing two things.
* Class names are unique across the package, so a name in a traceback, a log line or a
  ``kartcore.X`` import means one thing.
* Class names are CapWords (PEP 8), so classes and functions cannot be confused at the call site.

Each rule is parametrised by module, so a failure names the module to fix.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kartcore"
MAX_LINES = 400

#: The project template is rendered by cookiecutter, not kartcore code (its files hold Jinja and its hooks run in
#: the generated project): it sits at the repository root, and only a built wheel has it in kartcore/templates/.
TEMPLATES = PACKAGE / "templates"
MODULES = sorted(module for module in PACKAGE.rglob("*.py") if TEMPLATES not in module.parents)
MODULE_IDS = [module.relative_to(PACKAGE.parent).as_posix() for module in MODULES]


def _class_names(module: Path) -> list[tuple[str, int]]:
    """``(name, line)`` of every class defined in ``module``, nested ones included."""
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    return [(node.name, node.lineno) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def _where_classes_are_defined() -> dict[str, list[str]]:
    """Class name -> ``"module:line"`` of each definition in the package."""
    found: dict[str, list[str]] = defaultdict(list)
    for module, module_id in zip(MODULES, MODULE_IDS, strict=True):
        for name, line in _class_names(module):
            found[name].append(f"{module_id}:{line}")
    return found


DEFINITIONS = _where_classes_are_defined()


def test_the_package_is_found() -> None:
    assert "kartcore/__init__.py" in MODULE_IDS


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_module_has_at_most_400_lines(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_class_names_are_unique_in_the_package(module: Path) -> None:
    shared = {name: DEFINITIONS[name] for name, _ in _class_names(module) if len(DEFINITIONS[name]) > 1}
    assert not shared, f"class names defined more than once: {shared}"


@pytest.mark.parametrize("module", MODULES, ids=MODULE_IDS)
def test_class_names_are_capwords(module: Path) -> None:
    lowercase = [f"{name} (line {line})" for name, line in _class_names(module) if name.lstrip("_")[:1].islower()]
    assert not lowercase, f"{module.relative_to(PACKAGE.parent)}: lowercase class names {lowercase}"
