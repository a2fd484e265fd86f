"""The unique id in every output file name, bit-compatible with gokart.

``unique_id = md5(repr([<ids of significant required kart tasks>..., <str params>, 'ClassName']))``.
Plain luigi tasks among the requirements contribute their significant str params instead of an id.

The walk over requirements is iterative with a per-task memo, so a 10,000-task chain neither hits
Python's recursion limit nor costs more than one visit per task.
"""

from __future__ import annotations

import hashlib
from typing import Any

import luigi
from luigi.task import flatten

from kartcore.errors import TaskDefinitionError
from kartcore.task.source import defined_in

MEMO_ATTRIBUTE = "_kart_unique_id"


def unique_id_of(hash_inputs: list[Any]) -> str:
    """md5 of the Python repr of the hash inputs: the pure core of the scheme."""
    return hashlib.md5(str(hash_inputs).encode()).hexdigest()


def is_kart_task(obj: Any) -> bool:
    """True for TaskOnKart instances (duck-typed, so this module does not import the task class)."""
    return isinstance(obj, luigi.Task) and getattr(obj, "_kart_task", False)


def requirements_of(task: luigi.Task) -> list[luigi.Task]:
    """``flatten(task.requires())``, refusing anything that is not a luigi task."""
    required = flatten(task.requires())
    for item in required:
        if not isinstance(item, luigi.Task):
            source = defined_in(type(task))
            raise TaskDefinitionError(
                f"{type(task).__name__}.requires() returned {item!r} ({type(item).__name__}); it must return "
                f"a task, or a list/tuple/dict of tasks{source}"
            )
    return required


def unique_id(task: luigi.Task) -> str:
    """The gokart-compatible unique id of a kart task (memoised on the task when it allows caching)."""
    memo = _memo(task)
    if memo is not None:
        return memo
    # Nodes are keyed by class and parameters, not by object: with luigi's instance cache off (e.g. a
    # parameter holding a DataFrame) every requires() call returns new but equal objects.
    ids: dict[Identity, str] = {}
    requirements: dict[Identity, list[luigi.Task]] = {}
    in_progress: set[Identity] = set()
    stack: list[luigi.Task] = [task]
    while stack:
        node = stack[-1]
        key = _identity(node)
        if key in ids:
            stack.pop()
            continue
        if key not in requirements:
            requirements[key] = requirements_of(node)
            in_progress.add(key)
            pending = [dep for dep in requirements[key] if _needs_id(dep) and _identity(dep) not in ids]
            for dep in pending:
                if _identity(dep) in in_progress:
                    raise TaskDefinitionError(f"{type(node).__name__} requires itself through a cycle of requires()")
            stack.extend(reversed(pending))
            if pending:
                continue
        stack.pop()
        in_progress.discard(key)
        ids[key] = _compute(node, requirements[key], ids)
    return ids[_identity(task)]


Identity = tuple[Any, ...]


def _identity(task: luigi.Task) -> Identity:
    """Class and every parameter: equal tasks are one node whether or not they are one object."""
    return (type(task), *task.to_str_params().items())


def _needs_id(dep: luigi.Task) -> bool:
    return is_kart_task(dep) and dep.significant and _memo(dep) is None


def _memo(task: luigi.Task) -> str | None:
    return getattr(task, MEMO_ATTRIBUTE, None)


def _compute(node: luigi.Task, required: list[luigi.Task], ids: dict[Identity, str]) -> str:
    hash_inputs: list[Any] = []
    for dep in required:
        if is_kart_task(dep):
            if dep.significant:
                hash_inputs.append(_memo(dep) or ids[_identity(dep)])
        else:
            hash_inputs.append(dep.to_str_params(only_significant=True))
    hash_inputs.append(node.to_str_params(only_significant=True))
    hash_inputs.append(type(node).__name__)
    own_code = node.definition_code() if getattr(node, "serialized_task_definition_check", False) else None
    if own_code is not None:
        hash_inputs.append(own_code)
    value = unique_id_of(hash_inputs)
    if getattr(node, "cache_unique_id", True):
        setattr(node, MEMO_ATTRIBUTE, value)
    return value
