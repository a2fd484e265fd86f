"""PandasTypeConfig: declare the Python type of DataFrame columns for every task of a namespace.

::

    class ShopTypes(kartcore.PandasTypeConfig):
        task_namespace = "shop"

        @classmethod
        def type_dict(cls) -> dict[str, type]:
            return {"item_id": int, "price": float, "name": str}

Every DataFrame a task of namespace ``shop`` dumps is checked before anything is written: each
value of a listed column must be an ``isinstance`` of its type (so ``None``/NaN in an ``int`` column
fails, as in gokart). Columns the frame does not have are skipped. A mismatch raises
:class:`~kartcore.errors.PandasTypeError` naming the task, the column, the type and the first bad
value with its row. One config per namespace: when several are defined, the last one wins.
Tasks and configs without a namespace match each other (luigi's default namespace).
``SomeConfig().check(frame)`` runs the same check on any frame, as gokart's ``check`` does.
"""

from __future__ import annotations

from typing import Any, ClassVar

import luigi

from kartcore.errors import PandasTypeError
from kartcore.io import frame_tools


class PandasTypeConfig(luigi.Config):
    """Subclass it, set ``task_namespace`` and return ``{column: type}`` from the classmethod ``type_dict``."""

    _kart_configs: ClassVar[list[type[PandasTypeConfig]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        PandasTypeConfig._kart_configs.append(cls)

    @classmethod
    def type_dict(cls) -> dict[Any, Any]:
        """``{column: type or tuple of types}``; empty for the base class."""
        return {}

    def check(self, df: Any) -> None:
        """Raise :class:`~kartcore.errors.PandasTypeError` if a column of ``df`` breaks :meth:`type_dict`."""
        problem = type_problem(type(self), df)
        if problem is not None:
            raise PandasTypeError(problem)


def type_problem(config: type[PandasTypeConfig], frame: Any) -> str | None:
    """What in ``frame`` breaks ``config``'s types (column, type, first bad value and its row), or None."""
    violation = frame_tools.find_type_violation(frame, config.type_dict())
    if violation is None:
        return None
    value = violation.value
    return (
        f"column {violation.column!r} must hold {frame_tools.type_name(violation.expected)} "
        f"values ({config.__module__}.{config.__qualname__} for task_namespace {config.get_task_namespace()!r}), "
        f"but row {violation.position} (index {violation.label!r}) holds {value!r} of type "
        f"{type(value).__name__}; {violation.count} of {violation.total} values do not match."
    )


def config_for_namespace(namespace: str | None) -> type[PandasTypeConfig] | None:
    """The PandasTypeConfig subclass defined last for ``namespace`` (``None`` and ``""`` are the same)."""
    wanted = namespace or ""
    for config in reversed(PandasTypeConfig._kart_configs):
        if (config.get_task_namespace() or "") == wanted:
            return config
    return None
