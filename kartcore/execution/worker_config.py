"""``[gokart_worker]``: the worker section gokart reads, honoured by kartcore's builds too.

gokart's ``build()`` configures its worker from ``[gokart_worker]`` (luigi's ``[worker]`` options,
same names, same ``[core]`` fallbacks) plus ``task_completion_check_at_run``. A gokart project's
``luigi.cfg`` keeps working: every option set there is passed to luigi's worker (an option also set
in ``[worker]`` keeps that value), and ``task_completion_check_at_run`` becomes the default of the
task parameter of that name (``TaskOnKart.task_completion_check_at_run``, read by the wrapped ``run``).
"""

from __future__ import annotations

from typing import Any

import luigi
import luigi.configuration
import luigi.worker

from kartcore.errors import ConfigError
from kartcore.task.parameters import ExplicitBoolParameter

SECTION = "gokart_worker"


class GokartWorkerConfig(luigi.worker.worker):
    """luigi's worker options read from ``[gokart_worker]``, plus ``task_completion_check_at_run``."""

    task_completion_check_at_run = ExplicitBoolParameter(
        default=True, description="Skip a task's run() if it became complete since it was scheduled."
    )

    @classmethod
    def get_task_family(cls) -> str:
        """The section it reads: ``gokart_worker`` (luigi names a Config's section after the class)."""
        return SECTION


def configured(section: str, option: str) -> bool:
    """Whether ``option`` (or its dashed spelling) is set in ``section`` of luigi's configuration."""
    config = luigi.configuration.get_config()
    return config.has_option(section, option) or config.has_option(section, option.replace("_", "-"))


def worker_options() -> dict[str, Any]:
    """luigi worker keyword arguments for the options set in ``[gokart_worker]`` and not in ``[worker]``.

    Raises :class:`~kartcore.errors.ConfigError` naming the option and its value when luigi cannot parse it.
    """
    config = luigi.configuration.get_config()
    if not config.has_section(SECTION):
        return {}
    options = {}
    for name, param in luigi.worker.worker.get_params():
        if not configured(SECTION, name) or configured("worker", name):
            continue
        raw = config.get(SECTION, name if config.has_option(SECTION, name) else name.replace("_", "-"))
        try:
            options[name] = param.parse(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[{SECTION}] {name} = {raw!r} is not a valid value: {exc}") from None
    return options
