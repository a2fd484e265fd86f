"""``gokart.conflict_prevention_lock.task_lock``: not served by kartcore (named here so the error says so)."""

from gokart._dropin import module_getattr

_HINT = "kartcore takes the Redis lock settings from the task (redis_host, redis_port, redis_timeout)"
__getattr__ = module_getattr(
    "gokart.conflict_prevention_lock.task_lock",
    {"make_task_lock_params": _HINT, "TaskLockParams": _HINT, "make_task_lock_params_for_run": _HINT},
)
