"""``gokart.utils``: ``add_config`` (kartcore's) and ``flatten`` (luigi's, which gokart's mirrors)."""

from luigi.task import flatten

from gokart._dropin import module_getattr
from kartcore import add_config

__all__ = ["add_config", "flatten"]

__getattr__ = module_getattr(
    "gokart.utils",
    {
        "map_flattenable_items": "",
        "FlattenableItems": "",
        "get_dataframe_type_from_task": "kartcore picks polars for TaskOnKart[polars.DataFrame] by itself",
        "load_dill_with_pandas_backward_compatibility": "kartcore's .pkl format reads gokart's dill pickles",
    },
)
