"""``gokart.info``: the dependency tree as text, kartcore's."""

from kartcore import make_tree_info, tree_info

__all__ = ["make_tree_info", "tree_info"]
