"""What ``requires()`` and ``output()`` returned, and the advice that fits each shape when it does not fit.

``dump()`` writes to one kartcore target: the output itself, one of a dict of outputs by key, or a
target passed in. Every other shape (a list, a plain ``luigi.LocalTarget``, ``None`` from a
forgotten ``return``) needs its own advice: "pass the key" is only right for a dict. luigi's own
error for a ``requires()`` that returned ``None`` ("Cannot map None to Task/dict/list") names
neither the task nor the method.
"""

from __future__ import annotations

from typing import Any

import luigi

from kartcore.errors import TaskDefinitionError
from kartcore.io import Target
from kartcore.task.source import defined_in

_EXAMPLE = "self.make_target('name.pkl')"


def select_output(task: Any, key: Any) -> Target:
    """The kartcore target ``dump(obj, key)`` writes to, or a TaskDefinitionError with advice for the shape."""
    if isinstance(key, Target):
        return key
    if isinstance(key, luigi.target.Target):
        raise _error(task, f"cannot dump to {key!r}: {_foreign(key)}")
    outputs = task.output()
    if key is None and isinstance(outputs, Target):
        return outputs
    if isinstance(outputs, dict):
        chosen = outputs.get(key) if key is not None else None
        if isinstance(chosen, Target):
            return chosen
        if chosen is not None:
            raise _error(task, f"cannot dump to its output {key!r}: {_foreign(chosen)}")
        if key is None:
            raise _error(task, f"has several outputs; pass the key: self.dump(obj, '<key>') (keys: {sorted(outputs)})")
        raise _error(task, f"has no output named {key!r}; outputs: {sorted(outputs)}")
    call = "self.dump(obj)" if key is None else f"self.dump(obj, {key!r})"
    raise _error(task, f"cannot {call}: {_advice_for(type(task).__name__ + '.output()', outputs)}")


def _advice_for(method: str, outputs: Any) -> str:
    if outputs is None:
        return f"{method} returned None (a forgotten return?); return a target such as {_EXAMPLE}"
    if isinstance(outputs, Target):
        return f"{method} returns a single target, which has no keys: call self.dump(obj)"
    if isinstance(outputs, (list, tuple)):
        return (
            f"{method} returns a {type(outputs).__name__} of {len(outputs)} outputs, which dump() cannot tell "
            f"apart: return a dict such as {{'a': {_EXAMPLE}}} and call self.dump(obj, 'a'), or pass the "
            "target itself: self.dump(obj, self.output()[0])"
        )
    if isinstance(outputs, luigi.target.Target):
        return f"{method} returns {_foreign(outputs)}"
    return f"{method} returned {outputs!r} ({type(outputs).__name__}); return a target such as {_EXAMPLE}"


def _foreign(target: Any) -> str:
    return (
        f"a {type(target).__name__}, which dump() cannot write (it writes kartcore targets, whose format "
        f"follows the extension): return {_EXAMPLE} instead, or write the file yourself in run() with "
        "target.open('w')"
    )


def _error(task: Any, text: str) -> TaskDefinitionError:
    return TaskDefinitionError(f"{task.label()} {text}{defined_in(type(task))}")


def checked_requires(task: Any) -> Any:
    """``task.requires()``, refusing ``None`` where inputs are needed (``input()``, ``load()``)."""
    required = task.requires()
    if required is None:
        raise _error(
            task,
            f"has no inputs to load: {type(task).__name__}.requires() returned None (a forgotten return?); "
            "return the required task, or a list or dict of tasks",
        )
    return required


def output_none_error(task: Any) -> TaskDefinitionError:
    """For ``complete()``: an ``output()`` of None would make the task count as complete without running."""
    return _error(task, f"cannot tell whether it is complete: {_advice_for(type(task).__name__ + '.output()', None)}")
