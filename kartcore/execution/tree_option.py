"""``--tree-info-mode=simple|all`` and ``--tree-info-output-path``: ``run()`` writes the DAG's tree and stops.

gokart's command line takes these options (its ``[tree_info]`` section: ``mode``, ``output_path``): with a
mode, the tree of the task named on the command line is written to ``<workspace>/<output_path>`` (the
``[TaskOnKart] workspace_directory``; default ``tree.txt``) instead of running it; ``all`` adds each task's
parameters, outputs, time and log. Nothing runs. ``kart tree`` is kartcore's own way to the same tree.
"""

from __future__ import annotations

import luigi

from kartcore.errors import KartError, UsageError
from kartcore.io import Target
from kartcore.task import TaskOnKart

MODES = {"simple": False, "all": True}  # mode -> details


class TreeInfoOptions(luigi.Config):
    """The ``[tree_info]`` section and its ``--tree-info-*`` options."""

    mode = luigi.Parameter(default="", description="Write the task's tree instead of running it: simple or all.")
    output_path = luigi.Parameter(default="tree.txt", description="Where, under the workspace.")

    @classmethod
    def get_task_family(cls) -> str:
        """gokart's section and option prefix (luigi names a Config's section after the class)."""
        return "tree_info"

    def output(self) -> Target:
        """The tree's file: ``output_path`` under the ``[TaskOnKart]`` workspace."""
        return TaskOnKart().make_target(self.output_path, use_unique_id=False)


def write_tree_if_asked(root: luigi.Task) -> str | None:
    """With a mode: write ``root``'s tree and return the file's path; None without one (then the task runs)."""
    options = TreeInfoOptions()
    if not options.mode:
        return None
    if options.mode not in MODES:
        raise UsageError(f"--tree-info-mode must be simple or all, not {options.mode!r}; nothing was run")
    from kartcore.inspection.tree import make_tree_info  # the inspection side, loaded only when asked

    try:
        target = options.output()
        target.dump(make_tree_info(root, details=MODES[options.mode]))
    except KartError as exc:
        raise UsageError(f"--tree-info-output-path={options.output_path}: {exc}; nothing was run") from None
    return target.path()
