"""Parameter values resolved once per task class while a build runs, instead of at every instantiation.

Why: luigi resolves every parameter a caller did not pass on *each* ``Task(...)`` call - a command-line
lookup and two config lookups per parameter, through ConfigParser's interpolation - and a DAG
instantiates each task several times (every ``requires()`` call does, even when luigi's instance cache
then hands back the existing object). For a task with kartcore's 18 knobs that is ~150 config reads and
about half a millisecond per instantiation, the largest single cost of a build of small tasks.

While :func:`frozen_configuration` is active (``build()`` and ``run()`` hold it for the length of the
build) the command line and the config files are taken as fixed, so each class's defaults are resolved
once - by luigi's own methods, in luigi's precedence plus kartcore's ``[TaskOnKart]`` section - and
reused. Anything unusual (positional arguments, an unknown or missing parameter, a default that fails
to parse) goes through luigi's full resolution, so its errors are luigi's. Outside a build nothing is
cached: code that changes the configuration between builds sees its change.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import luigi
import luigi.configuration
from luigi.parameter import UnconsumedParameterWarning

from kartcore import config

_state = threading.local()


@contextlib.contextmanager
def frozen_configuration() -> Iterator[None]:
    """Resolve each class's parameter defaults once for the duration of the block (one build)."""
    previous = getattr(_state, "defaults", None)
    _state.defaults = {}
    try:
        yield
    finally:
        _state.defaults = previous


def resolved(cls: type[luigi.Task], params: list[tuple[str, luigi.Parameter]], kwargs: dict[str, Any]) -> Any:
    """luigi's ``get_param_values`` result from the class's cached defaults, or None to take luigi's path."""
    cache: dict[type, _ClassDefaults] | None = getattr(_state, "defaults", None)
    if cache is None:
        return None
    defaults = cache.get(cls)
    if defaults is None:
        defaults = cache[cls] = _ClassDefaults(cls, params)
    values = list(defaults.values)
    for name, given in kwargs.items():
        position = defaults.position.get(name)
        if position is None:
            return None  # an unknown keyword: luigi raises its UnknownParameterException
        value = params[position][1].normalize(given)
        values[position] = (name, _hashable(value))
    if defaults.unresolved and not defaults.unresolved <= kwargs.keys():
        return None  # a parameter with no value (or a default that does not parse): luigi's error
    return values


class _ClassDefaults:
    """One class's parameter values as luigi would resolve them with no arguments, in declaration order."""

    def __init__(self, cls: type[luigi.Task], params: list[tuple[str, luigi.Parameter]]) -> None:
        family = cls.get_task_family()
        shared = config.shared_values(family, [name for name, _ in params])
        self.position = {name: index for index, (name, _) in enumerate(params)}
        self.unresolved: set[str] = set()
        self.values: list[tuple[str, Any]] = []
        for name, param in params:
            value: Any = None
            try:
                if name in shared:
                    value = param.normalize(param.parse(shared[name]))
                elif param.has_task_value(family, name):
                    value = param.task_value(family, name)
                else:
                    self.unresolved.add(name)
            except Exception:
                self.unresolved.add(name)
            self.values.append((name, _hashable(value)))
        _warn_unconsumed(cls, family, self.position)


def _hashable(value: Any) -> Any:
    """Lists and sets as tuples, as luigi's ``get_param_values`` returns them (so instances hash)."""
    return tuple(value) if isinstance(value, (list, set)) else value


def _warn_unconsumed(cls: type[luigi.Task], family: str, known: dict[str, Any]) -> None:
    """luigi's warning for options in ``[Family]`` that name no parameter (once per option, as luigi does)."""
    conf = luigi.configuration.get_config()
    if not conf.has_section(family):
        return
    reported: set[str] = cls.__dict__.get("_unconsumed_params") or set()
    cls._unconsumed_params = reported  # type: ignore[attr-defined]
    ignored = getattr(cls, "ignore_unconsumed", set())
    for key, value in conf[family].items():
        key = key.replace("-", "_")
        composite = f"{family}_{key}"
        if key not in known and key not in ignored and composite not in reported:
            warnings.warn(
                f"The configuration contains the parameter '{key}' with value '{value}' that is not consumed by "
                f"the task '{family}'.",
                UnconsumedParameterWarning,
                stacklevel=2,
            )
            reported.add(composite)
