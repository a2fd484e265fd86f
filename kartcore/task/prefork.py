"""Work done once in the parent before luigi forks worker processes, instead of once in every child.

With ``--workers N`` luigi forks a fresh process for each task. Whatever a task's start-up imports
or computes for the first time is then paid again by every task, because a child's work dies with
it: the seed functions' libraries (``numpy`` alone takes ~0.3 s to import) and the map from modules
to installed distributions behind the ``module_versions`` record (~0.2 s) made every task cost about
half a second of CPU, more than the sleep-bound tasks it ran. Done here, each child inherits them; so
does the code fingerprint of every task class (its module parsed once, not once per task).
"""

from __future__ import annotations

import importlib

from kartcore.task.fingerprint import warm
from kartcore.task.module_versions import distributions_by_module
from kartcore.task.seed import seed_modules


def prepare_worker_processes(task_class: type) -> None:
    """Import the seed functions' modules, map modules to distributions and fingerprint the task classes here."""
    distributions_by_module()
    warm(task_class)  # the code fingerprint of the run record: each class's module parsed once, not per task
    methods = task_class.fix_random_seed_methods.task_value(task_class.__name__, "fix_random_seed_methods") or ()
    for module_name in seed_modules(methods):
        try:
            importlib.import_module(module_name)
        except ImportError:
            continue  # not installed: the child skips the method too (see seed.apply_seed)
