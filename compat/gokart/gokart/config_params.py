"""``gokart.config_params``: not served by kartcore (named here so the error says so)."""

from gokart._dropin import module_getattr

__getattr__ = module_getattr(
    "gokart.config_params",
    {"inherits_config_params": "set the values in the task's own config section, or use luigi.util.inherits"},
)
