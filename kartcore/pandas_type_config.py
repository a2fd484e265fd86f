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
"""

from __future__ import annotations

from typing import Any, ClassVar

import luigi


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


def config_for_namespace(namespace: str | None) -> type[PandasTypeConfig] | None:
    """The PandasTypeConfig subclass defined last for ``namespace`` (``None`` and ``""`` are the same)."""
    wanted = namespace or ""
    for config in reversed(PandasTypeConfig._kart_configs):
        if (config.get_task_namespace() or "") == wanted:
            return config
    return None
