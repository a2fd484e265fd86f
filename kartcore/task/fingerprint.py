"""A fingerprint of a task's code: what decides whether a cached output still matches the code that made it.

The unique id covers parameters only, so a cached output is reused after its task's ``run()`` changed.
The fingerprint is recorded in the JSON run record (:mod:`kartcore.task.records`) and compared later
(:mod:`kartcore.task.staleness`); it never enters the unique id or a file name.

What is hashed: the source of the task class and of every class in its MRO that is the project's own,
i.e. not defined in kartcore, luigi, gokart or the standard library (a base such as the generated
project's ``GokartTask`` is hashed; ``TaskOnKart`` is not: upgrading kartcore does not make a workspace
stale). Module-level helper functions a class calls are *not* hashed: the fingerprint covers the class
bodies only.

How: each class's source is parsed and walked into a canonical text of its syntax tree (node types
and field values; empty fields left out, so the text does not change with the Python version that
adds a field), then hashed with sha256. Comments, blank lines, indentation and line breaks are not in
the tree; **docstrings are dropped too** (a docstring documents, as a comment does: editing one must not
make hours of outputs stale). Everything else counts, including decorators and class attributes.

A class whose source cannot be read honestly (defined by ``exec``, in a notebook cell or a REPL, or
whose file no longer holds the code that is running) has no fingerprint: :attr:`CodeFingerprint.problem`
says why, and staleness reports it as unknown, never as stale or fresh.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import os
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any

#: Bumped when the way code is hashed changes: records of another scheme are "unknown", never "stale".
SCHEME = 1
#: Top-level packages whose classes are the runtime's, not the project's.
RUNTIME_PACKAGES = frozenset({"kartcore", "luigi", "gokart", "builtins"})


@dataclass(frozen=True)
class CodeFingerprint:
    """The digest of a task class's own code, per class hashed, or the reason there is none."""

    #: ``module.QualName`` -> sha256 of that class's canonical syntax tree, in MRO order (task first).
    classes: dict[str, str] = field(default_factory=dict)
    #: Why there is no fingerprint (source unreadable), else None.
    problem: str | None = None

    @property
    def digest(self) -> str | None:
        """One sha256 over every hashed class, or None when the fingerprint is unknown."""
        if self.problem is not None:
            return None
        text = "\n".join(f"{name} {digest}" for name, digest in self.classes.items())
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def as_record(self) -> dict[str, Any]:
        """The ``code`` entry of the run record's ``fingerprints``."""
        return {"digest": self.digest, "classes": dict(self.classes), "problem": self.problem}


_cache: weakref.WeakKeyDictionary[type, CodeFingerprint] = weakref.WeakKeyDictionary()
_trees: dict[tuple[str, float, int], ast.Module | None] = {}


def code_fingerprint(cls: type) -> CodeFingerprint:
    """The fingerprint of ``cls`` (worked out once per class and process)."""
    found = _cache.get(cls)
    if found is None:
        found = _cache[cls] = _fingerprint(cls)
    return found


def warm(base: type) -> None:
    """Fingerprint every class derived from ``base`` now: before luigi forks a process per task (``--workers``),
    so that each child inherits the result instead of parsing the project's modules again."""
    stack = list(base.__subclasses__())
    seen: set[type] = set()
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.add(cls)
            code_fingerprint(cls)
            stack.extend(cls.__subclasses__())


def project_classes(cls: type) -> list[type]:
    """The classes of ``cls``'s MRO that are the project's own (see the module docstring)."""
    return [klass for klass in cls.__mro__ if not _is_runtime(klass)]


def _is_runtime(klass: type) -> bool:
    top = (klass.__module__ or "").split(".", 1)[0]
    return top in RUNTIME_PACKAGES or (top in sys.stdlib_module_names and top != "__main__")


def _fingerprint(cls: type) -> CodeFingerprint:
    classes: dict[str, str] = {}
    for klass in project_classes(cls):
        name = f"{klass.__module__}.{klass.__qualname__}"
        try:
            node, problem = class_node(klass)
        except Exception as exc:  # an unreadable file, a tree too deep to parse: unknown, not a failed run
            node, problem = None, f"{type(exc).__name__}: {exc}"
        if node is None:
            return CodeFingerprint({}, f"the source of {name} cannot be read ({problem})")
        classes[name] = hashlib.sha256(canonical(node).encode("utf-8")).hexdigest()
    return CodeFingerprint(classes)


def class_node(klass: type) -> tuple[ast.ClassDef | None, str]:
    """The ``class`` statement that defined ``klass``, found in its module's file, or None and why not."""
    if "<locals>" in klass.__qualname__:
        return None, "it is defined inside a function"
    try:
        filename = inspect.getsourcefile(klass)
    except (OSError, TypeError) as exc:
        return None, str(exc) or "no source file"
    if filename is None or not os.path.isfile(filename):
        return None, "no source file (defined in a notebook, a REPL or exec?)"
    tree = _module_tree(filename)
    if tree is None:
        return None, f"{filename} does not parse"
    node = _find_class(tree, klass.__qualname__.split("."))
    if node is None:
        return None, f"{filename} defines no class {klass.__qualname__} (defined by exec?)"
    if not _methods_match(klass, filename, node):
        return None, f"the class in {filename} is not the one running (defined by exec, or the file changed since)"
    return node, ""


def _module_tree(filename: str) -> ast.Module | None:
    stat = os.stat(filename)
    key = (filename, stat.st_mtime, stat.st_size)
    if key not in _trees:
        try:
            with open(filename, "rb") as file:
                _trees[key] = ast.parse(file.read(), filename)
        except (SyntaxError, ValueError, OSError):
            _trees[key] = None
    return _trees[key]


def _find_class(tree: ast.Module, path: list[str]) -> ast.ClassDef | None:
    body: list[ast.stmt] = tree.body
    found: ast.ClassDef | None = None
    for part in path:
        matches = [node for node in _statements(body) if isinstance(node, ast.ClassDef) and node.name == part]
        if not matches:
            return None
        found = matches[-1]  # a later definition of the same name is the one the module keeps
        body = found.body
    return found


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of a body, also those inside if/try/with blocks (a class defined under ``if TYPE_CHECKING``...)."""
    found: list[ast.stmt] = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            nested = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                nested += handler.body
            stack.extend(reversed(nested))
    return found


def _methods_match(klass: type, filename: str, node: ast.ClassDef) -> bool:
    """Every function defined in the class body was compiled from ``filename``, inside ``node``'s lines."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    last = node.end_lineno or node.lineno
    for member in vars(klass).values():
        function = inspect.unwrap(member.__func__ if isinstance(member, (classmethod, staticmethod)) else member)
        code = getattr(function, "__code__", None)
        owner = getattr(function, "__qualname__", "").rpartition(".")[0]
        if code is None or not inspect.isfunction(function) or owner != klass.__qualname__:
            continue  # not defined in this class body (e.g. the wrapped run() is, its wrapper is kartcore's)
        if os.path.abspath(code.co_filename) != os.path.abspath(filename):
            return False
        if not first <= code.co_firstlineno <= last:
            return False
    return True


def canonical(node: Any) -> str:
    """The syntax tree as text: node types and non-empty fields, no positions, no docstrings."""
    if isinstance(node, ast.AST):
        parts = []
        for name, value in ast.iter_fields(node):
            if name == "body" and isinstance(value, list):
                value = _without_docstring(node, value)
            if value is None or value == []:
                continue
            parts.append(f"{name}={canonical(value)}")
        return f"{type(node).__name__}({','.join(parts)})"
    if isinstance(node, list):
        return "[" + ",".join(canonical(item) for item in node) + "]"
    return repr(node)


def _without_docstring(owner: ast.AST, body: list[ast.stmt]) -> list[ast.stmt]:
    documented = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)
    if isinstance(owner, documented) and body and _is_docstring(body[0]):
        return body[1:]
    return body


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
