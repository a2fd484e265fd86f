"""``gokart.tree``: see :mod:`gokart.tree.task_info`."""
