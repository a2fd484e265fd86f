"""``kart add task NAME``: a new task in a generated project, with its unit test and its export.

Writes ``<package>/model/<snake_name>.py`` (a ``GokartTask`` subclass whose ``run()`` loads its
requirement, if any, and dumps a result), ``tests/test_<snake_name>.py`` (builds the task with
``kartcore.build`` in the tests' workspace) and exports the task from ``<package>/__init__.py``, so
``python main.py <package>.NAME`` finds it. The files follow the project's ruff settings (isort order,
120 columns). Nothing is written unless every check passes.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import click

from kartcore.cli.project import Project, find_project
from kartcore.errors import KartError

LINE_LENGTH = 120
#: Base classes that make a class a task, besides the project's own tasks.
TASK_BASES = {"GokartTask", "TaskOnKart", "Task", "WrapperTask", "ExternalTask"}
#: Names the written module and test import or define (``from pathlib import Path``, ``typing.Any``, ...): a
#: task of the same name would shadow them, and ruff refuses the test (F811).
GENERATED_NAMES = {"GokartTask", "TaskOnKart", "Path", "Any", "luigi", "kartcore", "outputs"}
CAMEL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")


class ScaffoldError(KartError):
    """``kart add`` refuses: the name, the requirement or the project is not what it needs."""


@dataclass(frozen=True)
class ClassSite:
    """Where a top-level class is defined in the project's package."""

    name: str
    module: str  # dotted: pkg.model.sample
    path: Path
    bases: tuple[str, ...]


@click.group(name="add")
def command() -> None:
    """Add code to the kartcore project around the working directory."""


@command.command(name="task")
@click.argument("name")
@click.option("--requires", "requires", metavar="OTHER", help="A task of the project whose output this task loads.")
def task_command(name: str, requires: str | None) -> None:
    """Add the task NAME (CamelCase): <package>/model/<name>.py, its test, its export."""
    project = find_project()
    written = add_task(project, name, requires)
    for path in written:
        click.echo(f"wrote {path.relative_to(project.root)}")
    click.echo(f"Run it: python main.py {project.package}.{name} --local-scheduler")


def add_task(project: Project, name: str, requires: str | None = None) -> list[Path]:
    """Write the task, its test and its export; the paths written. Raises ScaffoldError before writing."""
    package = project.package
    snake = snake_case(check_task_name(name))
    classes = project_classes(project)
    module_path = project.root / package / "model" / f"{snake}.py"
    test_path = project.root / "tests" / f"test_{snake}.py"
    init_path = project.root / package / "__init__.py"
    if name in classes:
        raise ScaffoldError(f"a class {name} exists already in {_where(project, classes[name])}")
    for path in (module_path, test_path, module_path.with_suffix("")):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(project.root)} exists already; choose another task name")
    other = find_requirement(project, classes, requires) if requires else None
    init_text = exported(init_path.read_text(encoding="utf-8"), package, f"{package}.model.{snake}", name)
    module_path.parent.mkdir(parents=True, exist_ok=True)
    model_init = module_path.parent / "__init__.py"
    written = []
    if not model_init.exists():
        model_init.write_text("", encoding="utf-8")
        written.append(model_init)
    module_path.write_text(task_module(package, name, other), encoding="utf-8")
    test_path.parent.mkdir(parents=True, exist_ok=True)
    test_path.write_text(task_test(package, snake, name, other), encoding="utf-8")
    init_path.write_text(init_text, encoding="utf-8")
    return [*written, module_path, test_path, init_path]


# ----- names and the project's classes ------------------------------------------------------------


def check_task_name(name: str) -> str:
    """NAME itself: a CamelCase identifier whose module name is not a keyword."""
    if not CAMEL_CASE.match(name) or keyword.iskeyword(name) or name in {"GokartTask", "TaskOnKart"}:
        raise ScaffoldError(
            f"task name {name!r} must be a CamelCase Python identifier (a capital letter, then letters and digits), "
            "e.g. TrainModel"
        )
    if name in GENERATED_NAMES or name in dir(builtins):
        raise ScaffoldError(
            f"task name {name!r} is a name the task's module or test uses already (an import or a builtin); "
            f"choose another, e.g. {name}Task"
        )
    snake = snake_case(name)
    if keyword.iskeyword(snake) or keyword.issoftkeyword(snake):
        raise ScaffoldError(f"task name {name!r} gives the module name {snake!r}, a Python keyword; choose another")
    return name


def snake_case(name: str) -> str:
    """TrainModel -> train_model, HTTPSource -> http_source, Step2Data -> step2_data."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def project_classes(project: Project) -> dict[str, list[ClassSite]]:
    """Every top-level class of the project's package, by name (a name may be defined more than once)."""
    found: dict[str, list[ClassSite]] = {}
    package_dir = project.root / project.package
    for path in sorted(package_dir.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise ScaffoldError(f"cannot read the project's classes: {path.relative_to(project.root)}: {exc}") from None
        parts = path.relative_to(project.root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                bases = tuple(_base_name(base) for base in node.bases)
                found.setdefault(node.name, []).append(ClassSite(node.name, module, path, bases))
    return found


def _base_name(base: ast.expr) -> str:
    """``GokartTask[str]`` -> GokartTask, ``kartcore.TaskOnKart`` -> TaskOnKart."""
    if isinstance(base, ast.Subscript):
        base = base.value
    return ast.unparse(base).rsplit(".", 1)[-1]


def is_task(name: str, classes: dict[str, list[ClassSite]], seen: frozenset[str] = frozenset()) -> bool:
    """Whether the class derives (through the project's classes) from GokartTask, TaskOnKart or luigi's Task."""
    return any(
        base in TASK_BASES or (base in classes and base not in seen and is_task(base, classes, seen | {name}))
        for site in classes.get(name, [])
        for base in site.bases
    )


def find_requirement(project: Project, classes: dict[str, list[ClassSite]], other: str) -> ClassSite:
    """The one task named ``other`` in the project."""
    tasks = sorted(name for name in classes if is_task(name, classes) and name != "GokartTask")
    sites = classes.get(other, [])
    if not sites:
        raise ScaffoldError(
            f"--requires {other}: the project defines no task {other} (its tasks: {', '.join(tasks) or 'none'})"
        )
    if len(sites) > 1:
        raise ScaffoldError(f"--requires {other}: {other} is defined more than once: {_where(project, sites)}")
    if other == "GokartTask":
        raise ScaffoldError(f"--requires {other}: that is the base class of the project's tasks; name a task")
    if not is_task(other, classes):
        raise ScaffoldError(
            f"--requires {other}: {other} in {_where(project, sites)} is not a task (its tasks: {', '.join(tasks)})"
        )
    return sites[0]


def _where(project: Project, sites: list[ClassSite]) -> str:
    return ", ".join(str(site.path.relative_to(project.root)) for site in sites)


# ----- generated code -----------------------------------------------------------------------------


def from_import(module: str, names: list[str]) -> str:
    """One ``from ... import ...`` statement as ruff's isort writes it (wrapped beyond the line length)."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line + "\n"
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")\n"


def first_party_imports(imports: dict[str, list[str]]) -> str:
    """The first-party import block: modules in isort order, names sorted within each."""
    return "".join(from_import(module, sorted(imports[module], key=natural)) for module in sorted(imports, key=natural))


def task_module(package: str, name: str, other: ClassSite | None) -> str:
    """The new task's module: a run() that loads the requirement (if any) and dumps a result."""
    imports = {f"{package}.utils.template": ["GokartTask"]}
    if other is None:
        return (
            f'"""The {name} task: ``python main.py {package}.{name} --local-scheduler``."""\n\n'
            f"import luigi\n\n{first_party_imports(imports)}\n\n"
            f"class {name}(GokartTask[list[int]]):\n"
            f'    """Dumps the numbers 0 .. size - 1. Replace the body of ``run()`` with this step\'s work."""\n\n'
            "    size = luigi.IntParameter(default=3)\n\n"
            "    def run(self) -> None:\n"
            "        self.dump(list(range(self.size)))\n"
        )
    imports.setdefault(other.module, []).append(other.name)
    return (
        f'"""The {name} task: ``python main.py {package}.{name} --local-scheduler``, after {other.name}."""\n\n'
        f"from typing import Any\n\n{first_party_imports(imports)}\n\n"
        f"class {name}(GokartTask[dict[str, Any]]):\n"
        f'    """Loads the output of {other.name} and describes it. Replace the body of ``run()`` with this step\'s '
        'work."""\n\n'
        f"    def requires(self) -> {other.name}:\n"
        f"        return {other.name}()\n\n"
        "    def run(self) -> None:\n"
        "        data = self.load()\n"
        '        size = len(data) if hasattr(data, "__len__") else 1\n'
        f'        self.dump({{"input": type(data).__name__, "size": size, "source": "{other.name}"}})\n'
    )


def task_test(package: str, snake: str, name: str, other: ClassSite | None) -> str:
    """The new task's unit test: it runs with kartcore.build() in the tests' workspace fixture."""
    imports = {f"{package}.model.{snake}": [name]}
    if other is not None:
        imports.setdefault(other.module, []).append(other.name)
    header = (
        f'"""Unit test of {name}: it runs for real with kartcore.build() in the tests\' workspace."""\n\n'
        f"from pathlib import Path\n\nimport kartcore\n\n{first_party_imports(imports)}\n\n"
        "def outputs(workspace: Path) -> list[Path]:\n"
        f'    """The cached outputs of {name} (run records under log/ left out)."""\n'
        f'    return sorted((workspace / "{package}" / "model" / "{snake}").glob("{name}_*.pkl"))\n\n\n'
    )
    if other is None:
        return header + (
            f"def test_{snake}_dumps_its_output(workspace: Path) -> None:\n"
            f"    assert kartcore.build({name}()) == [0, 1, 2]\n"
            "    assert len(outputs(workspace)) == 1\n\n\n"
            f"def test_{snake}_size_is_a_parameter_with_its_own_cache(workspace: Path) -> None:\n"
            f"    assert kartcore.build({name}(size=5)) == [0, 1, 2, 3, 4]\n"
            f"    kartcore.build({name}())\n"
            "    assert len(outputs(workspace)) == 2\n"
        )
    return header + (
        f"def test_{snake}_loads_{snake_case(other.name)}_and_dumps_a_description(workspace: Path) -> None:\n"
        f"    upstream = kartcore.build({other.name}())\n"
        f"    result = kartcore.build({name}())\n"
        f'    assert result["input"] == type(upstream).__name__\n'
        f'    assert result["source"] == "{other.name}"\n'
        "    assert len(outputs(workspace)) == 1\n"
    )


# ----- the package's exports ----------------------------------------------------------------------


def exported(text: str, package: str, module: str, name: str) -> str:
    """``__init__.py`` with ``from <module> import <name>`` in isort order and ``name`` in ``__all__``."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ScaffoldError(f"cannot add {name} to {package}/__init__.py: it does not parse: {exc}") from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    names = _all_names(tree)
    own = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == package
    ]
    if names is None:  # no __all__ yet: export what the package imports from itself, as ruff's F401 wants
        names = [alias.asname or alias.name for node in own for alias in node.names]
    statement = from_import(module, [name])
    later = [node for node in own if natural(node.module or "") > natural(module)]
    if later:
        lines.insert(later[0].lineno - 1, statement)
    elif own:
        lines.insert(own[-1].end_lineno or own[-1].lineno, statement)
    else:
        imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        docstring = ast.get_docstring(tree) is not None
        after = imports[-1] if imports else (tree.body[0] if docstring else None)
        at = (after.end_lineno or after.lineno) if after else 0
        lines.insert(at, ("\n" if after else "") + statement + ("\n" if at < len(lines) else ""))
    text = "".join(lines)
    return _with_all(text, sorted({*names, name}, key=_all_key))


def _all_names(tree: ast.Module) -> list[str] | None:
    node = _all_node(tree)
    if node is None:
        return None
    if not isinstance(node.value, (ast.List, ast.Tuple)) or not all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.value.elts
    ):
        raise ScaffoldError("__all__ in the package's __init__.py is not a plain list of names; add the task by hand")
    return [item.value for item in node.value.elts if isinstance(item, ast.Constant)]


def _all_node(tree: ast.Module) -> ast.Assign | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return node
    return None


def _with_all(text: str, names: list[str]) -> str:
    """``text`` with its ``__all__`` (or a new one at the end) listing ``names``."""
    tree = ast.parse(text)
    node = _all_node(tree)
    one_line = f"__all__ = [{', '.join(map(repr_double, names))}]\n"
    many = "__all__ = [\n" + "".join(f"    {repr_double(name)},\n" for name in names) + "]\n"
    lines = text.splitlines(keepends=True)
    if node is None:
        statement = one_line if len(one_line) <= LINE_LENGTH + 1 else many
        return text.rstrip("\n") + "\n\n" + statement
    single = node.lineno == node.end_lineno and len(one_line) <= LINE_LENGTH + 1
    end = node.end_lineno or node.lineno
    return "".join(lines[: node.lineno - 1]) + (one_line if single else many) + "".join(lines[end:])


def repr_double(name: str) -> str:
    return f'"{name}"'


def natural(text: str) -> tuple[tuple[int, int], ...]:
    """ruff's isort order: case-insensitive, digit runs compared as numbers (module and member names)."""
    return tuple((ord("0"), int(part)) if part.isdigit() else (ord(part), 0) for part in _chunks(text.lower()))


def _chunks(text: str) -> list[str]:
    return [part for run in re.split(r"(\d+)", text) for part in ([run] if run.isdigit() else list(run))]


def _all_key(name: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """isort-style order of ``__all__`` (ruff RUF022): CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, natural(name)
