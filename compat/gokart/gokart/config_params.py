"""``gokart.config_params``: ``inherits_config_params``, a task's parameters filled from a luigi Config.

``@inherits_config_params(SomeConfig)`` gives each parameter of the task that ``SomeConfig`` also has
(``parameter_alias`` maps ``{config name: task name}``) the config's value unless the task was given
one (as an argument or on the command line). The decorated class keeps its name.
"""

from __future__ import annotations

from typing import Any

import luigi
import luigi.task

__all__ = ["inherits_config_params"]


class inherits_config_params:  # gokart's name (a decorator), hence lowercase
    """Decorator: fill the task's parameters from ``config_class`` (see the module docstring)."""

    def __init__(self, config_class: type[luigi.Config], parameter_alias: dict[str, str] | None = None) -> None:
        self._config_class = config_class
        self._parameter_alias = dict(parameter_alias or {})

    def _config_values(self, task_class: type[luigi.Task], given: dict[str, Any]) -> dict[str, Any]:
        names = {name for name, _ in task_class.get_params()}
        values = {}
        for name, value in self._config_class().param_kwargs.items():
            task_name = self._parameter_alias.get(name, name)
            if task_name in names and task_name not in given:
                values[task_name] = value
        return values

    def __call__(self, task_class: type[luigi.Task]) -> type[luigi.Task]:
        decorator = self

        @luigi.task._task_wraps(task_class)
        class Inheriting(task_class):  # type: ignore[valid-type, misc]
            @classmethod
            def get_param_values(cls, params: Any, args: Any, kwargs: Any) -> Any:
                filled = {**decorator._config_values(cls, kwargs), **kwargs}
                return super().get_param_values(params, args, filled)

        return Inheriting
