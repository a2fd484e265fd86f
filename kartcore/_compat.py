"""The few things kartcore does only because gokart code expects them, each with its reason."""

from __future__ import annotations

from luigi.task_register import Register


def forget_redefined_task_classes() -> None:
    """Hide task classes that were defined again under the same module and name.

    Why: in a notebook, re-running a cell defines a second ``Sample`` class; luigi then finds two
    classes for one name and refuses name lookups (``TaskClassAmbigiousException``), e.g. when a
    TaskInstanceParameter is parsed. gokart's ``build(reset_register=True)`` empties luigi's
    registry of every user class for this, which also breaks ``run()`` later in the process; we
    hide only the superseded classes, so the newest definition wins and nothing else changes.
    """
    newest: dict[tuple[str, str], type] = {}
    for task_class in Register._reg:  # luigi keeps classes in definition order
        key = (task_class.__module__, task_class.__qualname__)
        older = newest.get(key)
        if older is not None and older is not task_class:
            _hide(older)
        newest[key] = task_class


def _hide(stale: type) -> None:
    for task_class in Register._reg:
        if task_class is not stale and issubclass(task_class, stale) and "_visible_in_registry" not in vars(task_class):
            task_class._visible_in_registry = True  # subclasses must not inherit the hiding
    stale._visible_in_registry = False
