"""Parameter types gokart adds to luigi's, with gokart's serialised forms (they feed the unique id).

* :class:`TaskInstanceParameter` - a task as a parameter (inject the upstream step of a pipeline).
* :class:`ListTaskInstanceParameter` - a list of tasks.
* :class:`ExplicitBoolParameter` - a bool that must be spelled out on the command line.
* :class:`SerializableParameter` - any object that knows how to turn itself into a string.
* :class:`ZonedDateSecondParameter` - a timezone-aware datetime, to the second.
"""

from __future__ import annotations

import bz2
import datetime
import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import luigi
from luigi.task_register import Register
from typing_extensions import TypeVar

if TYPE_CHECKING:
    from kartcore.task.task_on_kart import TaskOnKart

T = TypeVar("T")
#: The task a (List)TaskInstanceParameter holds; type checkers take ``TaskOnKart[Any]`` when nothing narrows it
#: (``expected_type=Upstream`` or an annotation such as ``TaskInstanceParameter[Upstream]``).
TaskT = TypeVar("TaskT", bound=luigi.Task, default="TaskOnKart[Any]")


def _encode_task(task: luigi.Task) -> str:
    params = json.dumps(task.to_str_params(only_significant=True))
    payload = {"type": task.get_task_family(), "params": bz2.compress(params.encode()).hex()}
    return json.dumps(payload)


def _decode_task(value: str | dict[str, Any]) -> luigi.Task:
    encoded = json.loads(value) if isinstance(value, str) else value
    task_class = Register.get_task_cls(encoded["type"])
    params = encoded["params"]
    if isinstance(params, str):  # the serialised form; gokart's dict form carries the params already decoded
        params = json.loads(bz2.decompress(bytes.fromhex(params)).decode())
    return task_class.from_str_params(params)


def _expected_class(expected: Any, keyword: str) -> type | None:
    """``expected`` when it is a class (or None); anything else fails where the parameter is declared."""
    if expected is not None and not isinstance(expected, type):
        raise TypeError(
            f"{keyword} must be a class (e.g. a TaskOnKart subclass), got {type(expected).__name__}: {expected!r}"
        )
    return expected


def _check_type(value: Any, expected: type | None, what: str) -> None:
    if expected is not None and not isinstance(value, expected):
        raise TypeError(f"{what} expects an instance of {expected.__name__}, got {type(value).__name__}: {value!r}")


class TaskInstanceParameter(luigi.Parameter[TaskT]):
    """A task given as a parameter; the default ``requires()`` depends on it.

    Serialised as ``{"type": <family>, "params": <hex of bz2(json(significant str params))>}``, as gokart.
    ``self.<name>`` is typed as ``expected_type`` (by ``kartcore.mypy`` and by luigi's typed parameters).
    """

    def __init__(self, *args: Any, expected_type: type[TaskT] | None = None, **kwargs: Any) -> None:
        self.expected_type = _expected_class(expected_type, "TaskInstanceParameter(expected_type=...)")
        super().__init__(*args, **kwargs)

    def normalize(self, x: Any) -> Any:
        if isinstance(x, (str, dict)):
            x = _decode_task(x)
        _check_type(x, self.expected_type or luigi.Task, "TaskInstanceParameter")
        return x

    def parse(self, x: Any) -> luigi.Task:
        return _decode_task(x)

    def serialize(self, x: luigi.Task) -> str:
        return _encode_task(x)


class ListTaskInstanceParameter(luigi.Parameter[tuple[TaskT, ...]]):
    """A list of tasks, held as a tuple so the default ``requires()`` picks it up."""

    if TYPE_CHECKING:  # a list is given as often as a tuple: type checkers take any sequence as the argument

        def __set__(self, instance: Any, value: Sequence[TaskT]) -> None: ...

    def __init__(self, *args: Any, expected_elements_type: type[TaskT] | None = None, **kwargs: Any) -> None:
        self.expected_elements_type = _expected_class(
            expected_elements_type, "ListTaskInstanceParameter(expected_elements_type=...)"
        )
        super().__init__(*args, **kwargs)

    def normalize(self, x: Any) -> tuple[luigi.Task, ...]:
        if isinstance(x, str):
            x = json.loads(x)
        tasks = tuple(_decode_task(item) if isinstance(item, (str, dict)) else item for item in x)
        for task in tasks:
            _check_type(task, self.expected_elements_type or luigi.Task, "ListTaskInstanceParameter")
        return tasks

    def parse(self, x: Any) -> tuple[luigi.Task, ...]:
        return tuple(_decode_task(item) for item in json.loads(x))

    def serialize(self, x: Any) -> str:
        return json.dumps([_encode_task(task) for task in x])


_TRUE, _FALSE = "true", "false"


class ExplicitBoolParameter(luigi.Parameter[bool]):
    """A bool that needs its value on the command line (``--flag true``); ``--flag`` alone is an error."""

    def parse(self, x: Any) -> bool:
        if isinstance(x, bool):
            return x
        lowered = str(x).strip().lower()
        if lowered == _TRUE:
            return True
        if lowered == _FALSE:
            return False
        raise ValueError(f"cannot parse {x!r} as a bool: use true or false")

    def normalize(self, x: Any) -> bool:
        return self.parse(x)

    def serialize(self, x: Any) -> str:
        return str(bool(x))


class UnsetExplicitBoolParameter(ExplicitBoolParameter):
    """An :class:`ExplicitBoolParameter` that may stay unset (``None``, serialised as ``""``).

    For a switch whose absence means "follow another setting" (``complete_check_at_run``); typed as a bool
    for type checkers, as gokart types it.
    """

    def parse(self, x: Any) -> bool:
        if x is None or str(x).strip() in ("", "None"):
            return None  # type: ignore[return-value]  # unset
        return super().parse(x)

    def serialize(self, x: Any) -> str:
        return "" if x is None else super().serialize(x)


class GokartSerializable(Protocol):
    """What a :class:`SerializableParameter` value must implement."""

    def gokart_serialize(self) -> str: ...

    @classmethod
    def gokart_deserialize(cls, s: str) -> Any: ...


#: A SerializableParameter's value type: type checkers refuse a class without the two methods.
S = TypeVar("S", bound=GokartSerializable)


class SerializableParameter(luigi.Parameter[S]):
    """Any object with ``gokart_serialize()`` and ``gokart_deserialize(str)``; the string drives the hash."""

    def __init__(self, object_type: type[S], *args: Any, **kwargs: Any) -> None:
        self.object_type = object_type
        super().__init__(*args, **kwargs)

    def parse(self, x: Any) -> S:
        if isinstance(x, self.object_type):
            return x
        return self.object_type.gokart_deserialize(x)  # type: ignore[no-any-return]

    def normalize(self, x: Any) -> S:
        return self.parse(x)

    def serialize(self, x: Any) -> str:
        return x.gokart_serialize()


class ZonedDatetime(datetime.datetime):
    """A datetime that equals another only in the same zone: the value a ZonedDateSecondParameter holds.

    Why: luigi hands back a cached task instance when the parameter values compare equal, and plain
    datetimes compare by instant, so ``when=03:04Z`` and then ``when=12:04+09:00`` gave the second caller
    the first task, whose local date and hour are not the ones asked for. The hash stays the instant's
    (equal values still hash equal); order, arithmetic and ``repr`` are a datetime's.
    """

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, datetime.datetime):
            return NotImplemented
        return super().__eq__(other) and self.tzinfo == other.tzinfo and self.utcoffset() == other.utcoffset()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = datetime.datetime.__hash__

    def __repr__(self) -> str:
        plain = datetime.datetime(*self.timetuple()[:6], self.microsecond, self.tzinfo, fold=self.fold)
        return repr(plain)


class ZonedDateSecondParameter(luigi.Parameter[datetime.datetime]):
    """A timezone-aware datetime in ISO 8601 (``Z`` accepted), truncated to the second.

    Values are :class:`ZonedDatetime`, so the same instant in two zones makes two tasks (see there).
    """

    def parse(self, x: Any) -> datetime.datetime:
        if isinstance(x, datetime.datetime):
            value = x
        else:
            text = str(x).strip()
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            value = datetime.datetime.fromisoformat(text)
        if value.tzinfo is None:
            warnings.warn(
                f"ZonedDateSecondParameter got {value.isoformat()} without a timezone; it is kept as a naive datetime",
                stacklevel=2,
            )
        return value

    def normalize(self, x: Any) -> datetime.datetime:
        value = self.parse(x)
        return ZonedDatetime(*value.timetuple()[:6], tzinfo=value.tzinfo, fold=value.fold)

    def serialize(self, x: datetime.datetime) -> str:
        return x.isoformat()


__all__ = [
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "SerializableParameter",
    "TaskInstanceParameter",
    "ZonedDateSecondParameter",
]
