"""``gokart.parameter``: kartcore's parameter classes (same serialized forms, so the same unique ids)."""

from kartcore import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)

__all__ = [
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "SerializableParameter",
    "TaskInstanceParameter",
    "ZonedDateSecondParameter",
]
