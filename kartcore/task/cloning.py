"""What ``TaskOnKart.clone`` copies: every parameter the new class has, except the run switches.

``rerun`` and the strict checks are about one task, not its family: unless passed, the clone takes them
as any new instance does (argument > config > default), so ``[Class] rerun = true`` reaches a clone.
"""

from __future__ import annotations

from typing import Any

import luigi

#: Parameters a clone takes from its arguments or the config, never from the cloned task.
NOT_CLONED = ("rerun", "strict_check", "modification_time_check")


def clone_arguments(source: luigi.Task, target_class: type[luigi.Task], given: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the clone of ``source`` as ``target_class``, ``given`` first."""
    arguments = {}
    for name, _ in target_class.get_params():
        if name in given:
            arguments[name] = given[name]
        elif name not in NOT_CLONED and hasattr(source, name):
            arguments[name] = getattr(source, name)
    return arguments
