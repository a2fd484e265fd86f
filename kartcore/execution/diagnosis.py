"""One line per failure: which task, which of its methods, which exception, and where.

A ``requires()`` or ``output()`` that raises is met far from the user's code: luigi finds it while it
schedules (inside ``complete()``), kartcore while it hashes unique ids, ``kart tree`` while it walks
the DAG. The traceback says where, but a terminal, a scheduler log or a CI page needs one line, so
the method is read from the traceback: the innermost frame of a task method running on a task.
"""

from __future__ import annotations

from types import TracebackType

import luigi

from kartcore.errors import RemoteTaskError, TaskFailure

#: Methods luigi and kartcore call on a task before (or instead of) ``run()``.
DEFINITION_METHODS = frozenset({"requires", "output", "complete"})


def definition_error(exc: BaseException) -> str | None:
    """``task pkg.T: requires() raised ValueError: ... (at file:line)``, or None when no task method raised."""
    found: TracebackType | None = None
    entry = exc.__traceback__
    while entry is not None:
        code = entry.tb_frame.f_code
        if code.co_name in DEFINITION_METHODS and isinstance(entry.tb_frame.f_locals.get("self"), luigi.Task):
            found = entry
        entry = entry.tb_next
    if found is None:
        return None
    task = found.tb_frame.f_locals["self"]
    where = f"{found.tb_frame.f_code.co_filename}:{found.tb_lineno}"
    return f"task {task.get_task_family()}: {found.tb_frame.f_code.co_name}() raised {_cause(exc)} (at {where})"


def failure_line(failure: TaskFailure) -> str:
    """The failed task, then what went wrong: its method and exception, or the last line of its traceback."""
    if failure.exception is not None and not isinstance(failure.exception, RemoteTaskError):
        return definition_error(failure.exception) or f"{_name(failure.task)} failed: {_cause(failure.exception)}"
    text = failure.traceback.strip()  # a remote worker's failure is its traceback text: the last line says it
    return f"{_name(failure.task)} failed: {text.splitlines()[-1] if text else 'no error text'}"


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _name(task: object) -> str:
    label = getattr(task, "label", None)
    try:
        return str(label()) if callable(label) else str(task)
    except Exception:  # the task's own methods are what failed: name it without them
        family = getattr(task, "get_task_family", None)
        return str(family()) if callable(family) else type(task).__name__
