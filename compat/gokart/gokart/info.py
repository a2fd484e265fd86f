"""``gokart.info``: the dependency tree as text, kartcore's, and gokart's ``tree_info`` options.

``tree_info(task)`` returns the tree's text (kartcore's function); ``tree_info(mode=..., output_path=...)``,
as gokart code builds its ``tree_info`` task, gives the ``--tree-info-*`` options of ``run()`` with the
``output()`` the tree is written to.
"""

from __future__ import annotations

from typing import Any

import luigi

from kartcore import make_tree_info
from kartcore import tree_info as _tree_text
from kartcore.execution.tree_option import TreeInfoOptions

__all__ = ["make_tree_info", "tree_info"]


def tree_info(task: luigi.Task | None = None, details: bool = False, abbr: bool = True, **options: Any) -> Any:
    """The tree of ``task`` as text; without a task, the ``[tree_info]`` options (``mode``, ``output_path``)."""
    if task is None:
        return TreeInfoOptions(**options)
    if options:
        raise TypeError(f"tree_info(task) takes details and abbr, not {sorted(options)}")
    return _tree_text(task, details=details, abbr=abbr)
