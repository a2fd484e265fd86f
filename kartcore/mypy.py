"""A mypy plugin that checks task construction against the task's declared parameters.

Enable it with ``plugins = ["kartcore.mypy"]`` in ``[tool.mypy]`` (``gokart.mypy`` in the gokart drop-in is the
same plugin). Why a plugin: luigi collects a task's parameters at run time from every class attribute that is a
``luigi.Parameter``, annotated or not, and accepts each of them as an optional keyword argument of the task. No
static rule says so: PEP 681 (``dataclass_transform``) sees annotated attributes only. With the plugin:

* ``Task(name=value)`` is checked as a call with one optional keyword argument per parameter, inherited ones
  (``workspace_directory``, ``rerun``, ...) included: an unknown name or a value of the wrong type is an error.
* A parameter's argument type is the value it holds: ``n = luigi.IntParameter()`` takes an ``int``,
  ``luigi.OptionalIntParameter()`` an ``int | None``, ``TaskInstanceParameter(expected_type=Up)`` an ``Up``
  (from the descriptor's ``__set__``, as PEP 681 does; else its ``__get__``). An annotation wins:
  ``foo: int = luigi.IntParameter()`` is accepted and ``foo: str = luigi.IntParameter()`` is an error.
* ``[tool.kartcore-mypy] disallow_missing_parameters = true`` (gokart's ``[tool.gokart-mypy]`` too) makes the
  parameters declared without ``default=`` required arguments.
* ``self.n`` is already an ``int`` without the plugin: luigi >= 3.7 types each parameter as a descriptor of its
  value (``Parameter[T]``), and kartcore's parameters follow it.

The types are worked out while mypy checks the call, so they are the types mypy inferred, generics included. The
semantic pass only notes which attributes are assigned a parameter (kept in the class's metadata, so it holds in
incremental runs too), because an annotation such as ``foo: int`` hides that from the type.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

from mypy.expandtype import expand_type_by_instance
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    Argument,
    AssignmentStmt,
    Block,
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    IfStmt,
    IndexExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.options import Options
from mypy.plugin import (
    CheckerPluginInterface,
    ClassDefContext,
    FunctionContext,
    FunctionSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.plugins.common import add_method_to_class
from mypy.subtypes import is_subtype
from mypy.types import AnyType, CallableType, FunctionLike, Instance, NoneType, Type, TypeOfAny, get_proper_type

TASK = "luigi.task.Task"
PARAMETER = "luigi.parameter.Parameter"
#: Where the semantic pass notes a class's parameter names (serialised with the class in mypy's cache).
METADATA_KEY = "kartcore.mypy"
#: Settings in pyproject.toml's ``[tool.kartcore-mypy]`` (or gokart's ``[tool.gokart-mypy]``), with defaults:
#: ``disallow_missing_parameters`` makes a parameter declared without ``default=`` a required argument.
SETTINGS = {"disallow_missing_parameters": False}
SETTINGS_TABLES = ("kartcore-mypy", "gokart-mypy")


class TaskParametersPlugin(Plugin):
    """Task constructors take their parameters as keyword arguments of the parameters' value types."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.settings = read_settings(options.config_file)

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, bool]:
        return self.settings  # a changed setting invalidates mypy's cache

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return note_parameters if self._derives_from(fullname, TASK) else None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return parameter_for_annotation if self._derives_from(fullname, PARAMETER) else None

    def get_function_signature_hook(self, fullname: str) -> Callable[[FunctionSigContext], FunctionLike] | None:
        if not self._derives_from(fullname, TASK):
            return None
        return functools.partial(task_signature, required=self.settings["disallow_missing_parameters"])

    def _derives_from(self, fullname: str, base: str) -> bool:
        found = self.lookup_fully_qualified(fullname)
        return found is not None and isinstance(found.node, TypeInfo) and found.node.has_base(base)


# ----- semantic pass: which attributes are assigned a parameter ---------------------------------------------


def note_parameters(ctx: ClassDefContext) -> None:
    """Record the names assigned a ``SomeParameter(...)`` call in the class body (also under ``if``).

    A class without an ``__init__`` of its own gets a ``(*args, **kwargs)`` one, which PEP 681 leaves alone: the
    one it would generate knows annotated parameters only, so ``cls(size=1)`` and ``type(self)(size=1)`` would be
    errors for ``size = luigi.IntParameter()``. Calls by the class name get the checked signature below.
    """
    info = ctx.cls.info
    calls = {
        stmt.lvalues[0].name: stmt.rvalue
        for stmt in _assignments(ctx.cls.defs)
        if len(stmt.lvalues) == 1
        and isinstance(stmt.lvalues[0], NameExpr)
        and isinstance(stmt.rvalue, CallExpr)
        and _is_parameter_call(stmt.rvalue)
    }
    without_default = [name for name, call in calls.items() if not {"default", None} & set(call.arg_names)]
    info.metadata[METADATA_KEY] = {"parameters": list(calls), "without_default": without_default}
    if "__init__" not in info.names:
        anything = AnyType(TypeOfAny.explicit)
        arguments = [Argument(Var(name, anything), anything, None, kind) for name, kind in _PASS_THROUGH]
        add_method_to_class(ctx.api, ctx.cls, "__init__", args=arguments, return_type=NoneType())
        info.names["__init__"].plugin_generated = False  # so that the PEP 681 transform does not replace it


_PASS_THROUGH = [("args", ARG_STAR), ("kwargs", ARG_STAR2)]


def _assignments(block: Block) -> Iterator[AssignmentStmt]:
    for stmt in block.body:
        if isinstance(stmt, AssignmentStmt):
            yield stmt
        elif isinstance(stmt, IfStmt):
            for body in [*stmt.body, stmt.else_body]:
                if body is not None and not body.is_unreachable:
                    yield from _assignments(body)


def _is_parameter_call(expr: Expression) -> bool:
    if not isinstance(expr, CallExpr):
        return False
    callee = expr.callee.base if isinstance(expr.callee, IndexExpr) else expr.callee  # Parameter[int](...)
    return isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo) and callee.node.has_base(PARAMETER)


# ----- type checking: the constructor's signature -----------------------------------------------------------


def task_signature(ctx: FunctionSigContext, required: bool = False) -> FunctionLike:
    """``Task(...)``: one optional keyword argument per parameter, typed by the value the parameter holds.

    A task class with an ``__init__`` of its own (other than a ``*args, **kwargs`` pass-through) keeps it.
    ``required``: a parameter declared without ``default=`` must be given (config files cannot stand in).
    """
    signature = ctx.default_signature
    task = get_proper_type(signature.ret_type) if isinstance(signature, CallableType) else None
    if not isinstance(signature, CallableType) or not isinstance(task, Instance) or not _passes_through(task.type):
        return signature
    names, types, kinds = [], [], []
    for name, owner in task_parameters(task.type):
        names.append(name)
        types.append(_argument_type(ctx.api, task, owner, name))
        without_default = name in owner.metadata.get(METADATA_KEY, {}).get("without_default", [])
        kinds.append(ARG_NAMED if required and without_default else ARG_NAMED_OPT)
    return signature.copy_modified(arg_types=types, arg_kinds=kinds, arg_names=names)


def _passes_through(info: TypeInfo) -> bool:
    found = info.get("__init__")
    if found is None or found.plugin_generated:  # generated from annotations alone (PEP 681): replaced
        return True
    node = found.node.func if isinstance(found.node, Decorator) else found.node
    if not isinstance(node, FuncDef):
        return False
    return node.arg_kinds == [ARG_POS, ARG_STAR, ARG_STAR2]


def task_parameters(info: TypeInfo) -> list[tuple[str, TypeInfo]]:
    """``(name, class that defines it)`` of every parameter, base classes' first, as luigi finds them.

    The nearest definition of a name decides, as at run time: a subclass that sets ``rerun = True`` has no
    ``rerun`` parameter any more.
    """
    candidates: dict[str, None] = {}
    for klass in reversed(info.mro):
        candidates.update(dict.fromkeys(_noted(klass)))
        candidates.update(dict.fromkeys(name for name, sym in klass.names.items() if _holds_parameter(sym.node)))
    found = []
    for name in candidates:
        owner = info.get_containing_type_info(name)
        if owner is not None and (name in _noted(owner) or _holds_parameter(owner.names[name].node)):
            found.append((name, owner))
    return found


def _noted(info: TypeInfo) -> list[str]:
    noted: list[str] = info.metadata.get(METADATA_KEY, {}).get("parameters", [])
    return noted


def _holds_parameter(node: object) -> bool:
    typ = get_proper_type(node.type) if isinstance(node, Var) and node.type is not None else None
    return isinstance(typ, Instance) and typ.type.has_base(PARAMETER)


def _argument_type(api: CheckerPluginInterface, task: Instance, owner: TypeInfo, name: str) -> Type:
    var = owner.names[name].node
    if not isinstance(var, Var) or var.type is None:  # not inferred yet (a class checked later): anything goes
        return AnyType(TypeOfAny.special_form)
    declared = expand_type_by_instance(var.type, map_instance_to_supertype(task, owner))
    parameter = get_proper_type(declared)
    if not (isinstance(parameter, Instance) and parameter.type.has_base(PARAMETER)):
        return declared  # an annotation (``foo: int = luigi.IntParameter()``) is the value's type
    return _set_type(parameter) or _get_type(api, parameter) or AnyType(TypeOfAny.special_form)


def _set_type(parameter: Instance) -> Type | None:
    """The value type of the descriptor's ``__set__(self, instance, value)``, in this parameter's type arguments."""
    found = parameter.type.get("__set__")
    node = found.node.func if found is not None and isinstance(found.node, Decorator) else found and found.node
    if not isinstance(node, FuncDef) or not isinstance(node.type, CallableType) or len(node.type.arg_types) != 3:
        return None
    return expand_type_by_instance(node.type.arg_types[2], map_instance_to_supertype(parameter, node.info))


def _get_type(api: CheckerPluginInterface, parameter: Instance) -> Type | None:
    """What reading the parameter from a task gives: mypy evaluates ``parameter.__get__(<an object>, <owner>)``."""
    probe = CallExpr(
        MemberExpr(TempNode(parameter), "__get__"),
        [TempNode(api.named_generic_type("builtins.object", [])), TempNode(AnyType(TypeOfAny.special_form))],
        [ARG_POS, ARG_POS],
        [None, None],
    )
    with api.msg.filter_errors() as errors:
        value = api.get_expression_type(probe)
    return None if errors.has_new_errors() else value


# ----- type checking: ``foo: int = luigi.IntParameter()`` ---------------------------------------------------


def parameter_for_annotation(ctx: FunctionContext) -> Type:
    """A parameter assigned to an attribute annotated with its value type stands for that value.

    Without this, ``foo: int = luigi.IntParameter()`` (gokart's documented style) is an assignment error. The
    value type is then checked against the annotation, so ``foo: str = luigi.IntParameter()`` still fails.
    """
    made = get_proper_type(ctx.default_return_type)
    expected = ctx.api.type_context[-1] if ctx.api.type_context else None
    scope = getattr(ctx.api, "scope", None)  # mypy's checker: only a class body declares parameters
    in_class_body = scope is None or scope.active_class() is not None
    if expected is None or not in_class_body or not isinstance(made, Instance) or is_subtype(made, expected):
        return ctx.default_return_type
    return _get_type(ctx.api, made) or ctx.default_return_type


# ----- settings -------------------------------------------------------------------------------------------


def read_settings(config_file: str | None) -> dict[str, bool]:
    """The plugin's settings from mypy's pyproject.toml; a wrong one stops mypy with one line (exit code 2)."""
    settings = dict(SETTINGS)
    if not config_file or not config_file.endswith(".toml"):
        return settings
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with open(config_file, "rb") as file:
        tool: dict[str, Any] = tomllib.load(file).get("tool", {})
    for table in SETTINGS_TABLES:
        for key, value in tool.get(table, {}).items():
            if key not in SETTINGS:
                known = ", ".join(SETTINGS)
                _refuse(f"{config_file}: [tool.{table}] {key}: not a setting of kartcore.mypy (it has: {known})")
            if not isinstance(value, bool):
                _refuse(f"{config_file}: [tool.{table}] {key} must be true or false, not {value!r}")
            settings[key] = value
    return settings


def _refuse(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)  # not an Exception: mypy would print a traceback for those


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return TaskParametersPlugin
