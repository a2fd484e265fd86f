"""``gokart.mypy``: kartcore's mypy plugin (``plugins = ["gokart.mypy"]`` keeps working after the move).

``Task(param=...)`` is checked against the task's declared parameters; see :mod:`kartcore.mypy`.
"""

from kartcore.mypy import TaskParametersPlugin, plugin

__all__ = ["TaskParametersPlugin", "plugin"]
