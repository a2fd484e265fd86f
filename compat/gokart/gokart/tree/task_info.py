"""``gokart.tree.task_info``: the dependency tree as text or a table, kartcore's."""

from gokart._dropin import module_getattr
from kartcore import make_task_info_as_tree_str
from kartcore.inspection.table import make_task_info_as_table

__all__ = ["make_task_info_as_table", "make_task_info_as_tree_str"]

_HINT = "`kart tree` prints the tree as text, mermaid, dot or html"
__getattr__ = module_getattr(
    "gokart.tree.task_info",
    {"dump_task_info_table": _HINT, "dump_task_info_tree": _HINT},
)
