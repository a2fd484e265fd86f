"""``gokart.conflict_prevention_lock``: see :mod:`gokart.conflict_prevention_lock.task_lock`."""
