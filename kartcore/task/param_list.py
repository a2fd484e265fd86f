"""A task class's luigi parameter list, kept per class and refreshed when the class changes.

luigi's ``get_params`` walks ``dir(cls)`` on every call, and a DAG calls it for every instantiation, so
kartcore keeps the list per class. A parameter assigned to the class after it was created (gokart's
``test_cache_unique_id_false`` replaces a parameter to change its default between two builds) must still
be seen: the kept list carries a cheap fingerprint of the class - the parameter objects it found and the
size of each class dict along the MRO (a new attribute grows one) - and is rebuilt when it no longer matches.
"""

from __future__ import annotations

from collections.abc import Callable

import luigi

KEPT = "_kart_params"


def class_params(
    cls: type[luigi.Task], compute: Callable[[], list[tuple[str, luigi.Parameter]]]
) -> list[tuple[str, luigi.Parameter]]:
    """``compute()`` (luigi's list), reused while the class's parameters and attributes are unchanged."""
    kept: tuple[list[tuple[str, luigi.Parameter]], tuple[int, ...]] | None = cls.__dict__.get(KEPT)
    if kept is not None:
        params, sizes = kept
        if sizes == _sizes(cls) and all(getattr(cls, name, None) is param for name, param in params):
            return list(params)
    params = compute()
    setattr(cls, KEPT, (params, ()))  # first, so that the fingerprint counts the attribute itself
    setattr(cls, KEPT, (params, _sizes(cls)))
    return list(params)


def _sizes(cls: type) -> tuple[int, ...]:
    return tuple(len(owner.__dict__) for owner in cls.__mro__)
