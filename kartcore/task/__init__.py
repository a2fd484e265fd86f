"""Tasks: TaskOnKart, its parameters, the unique id and the run records."""

from kartcore.task import lifecycle
from kartcore.task.parameters import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from kartcore.task.task_on_kart import TaskOnKart

lifecycle.register(TaskOnKart)

__all__ = [
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "SerializableParameter",
    "TaskInstanceParameter",
    "TaskOnKart",
    "ZonedDateSecondParameter",
]
