"""What a DAG needs from its workspaces, against what is there: the basis of ``kart clean``.

A task needs its outputs and its run records (``log/<kind>/<Class>_<unique id>``): the records say
how the outputs were made, and ``restore()``/``kart history`` read them. Everything else in the
workspaces of the DAG's tasks is not needed by this DAG: outputs of old parameters, of tasks
that left the pipeline, records of other runs and ``.kart-tmp-`` leftovers of killed writes.

Paths are compared as absolute, normalised paths. Comparing the strings the tasks produce
(``./resources/x.pkl``) with the walked ones (``resources/x.pkl``) is how a cleaner ends up
deleting the files it meant to keep when the workspace is the default relative ``./resources/``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from kartcore.errors import KartError
from kartcore.io.atomic import is_temp_path
from kartcore.task import TaskOnKart
from kartcore.task.naming import log_path
from kartcore.task.records import MODULE_VERSIONS, PROCESSING_TIME, RANDOM_SEED, TASK_LOG, TASK_PARAMS
from kartcore.tree import Dag
from kartcore.tree_render import output_paths

#: The run records of one task and their extensions, as kartcore.task.records writes them.
RECORD_FILES = (
    (TASK_PARAMS, ".pkl"),
    (RANDOM_SEED, ".pkl"),
    (MODULE_VERSIONS, ".txt"),
    (PROCESSING_TIME, ".pkl"),
    (TASK_LOG, ".pkl"),
)


class UnsafeWorkspaceError(KartError):
    """A workspace that holds more than outputs (the project itself, a home directory, ``/``)."""


@dataclass
class WorkspaceReport:
    """The files of the DAG's workspaces, split into those the DAG needs and the rest."""

    workspaces: list[str] = field(default_factory=list)
    needed: set[str] = field(default_factory=set)
    kept: list[str] = field(default_factory=list)
    unneeded: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def unneeded_bytes(self) -> int:
        return sum(_size(path) for path in self.unneeded)


def record_paths(task: TaskOnKart) -> list[str]:
    """The run records ``task`` writes (whether or not they exist)."""
    return [
        log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)
        for kind, extension in RECORD_FILES
    ]


def needed_paths(dag: Dag) -> set[str]:
    """Absolute paths of every output and run record of the DAG's tasks."""
    needed: set[str] = set()
    for task in dag.tasks.values():
        paths = output_paths(task)
        if isinstance(task, TaskOnKart):
            paths += record_paths(task)
        needed.update(_absolute(path) for path in paths if "://" not in path)
    return needed


def workspaces_of(dag: Dag) -> list[str]:
    """The workspace directories of the DAG's kart tasks (as given, deduplicated)."""
    return list(dict.fromkeys(t.workspace_directory for t in dag.tasks.values() if isinstance(t, TaskOnKart)))


def inspect(dag: Dag, protected: Path | None = None) -> WorkspaceReport:
    """Every file under the DAG's local workspaces, needed or not.

    ``protected`` (the project root) must not be inside a workspace: cleaning that workspace would
    delete the project's own files, so it is refused with :class:`UnsafeWorkspaceError`.
    """
    report = WorkspaceReport(needed=needed_paths(dag))
    for workspace in workspaces_of(dag):
        if "://" in workspace:
            report.remote.append(workspace)
            continue
        root = _absolute(workspace)
        check_workspace(root, protected)
        report.workspaces.append(root)
    needed_directories = [path for path in report.needed if os.path.isdir(path)]  # a directory output keeps its files
    for root in _outermost(report.workspaces):
        for path in _files_under(root):
            needed = path in report.needed or any(Path(path).is_relative_to(d) for d in needed_directories)
            (report.kept if needed and not is_temp_path(path) else report.unneeded).append(path)
    report.kept.sort()
    report.unneeded.sort()
    return report


def check_workspace(root: str, protected: Path | None) -> None:
    """Refuse a workspace that is ``/``, a home directory, or contains the project (or ``protected``)."""
    path = Path(root)
    if path == Path(path.anchor) or path == Path.home():
        raise UnsafeWorkspaceError(f"workspace {root} is a root or home directory; refusing to clean it")
    if protected is not None and Path(os.path.abspath(protected)).is_relative_to(path):
        raise UnsafeWorkspaceError(
            f"workspace {root} contains the project {protected}; cleaning it would delete the project's files"
        )


def remove_unneeded(report: WorkspaceReport) -> list[str]:
    """Delete the unneeded files, then the directories that became empty; return what was deleted."""
    removed = []
    for path in report.unneeded:
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    for root in report.workspaces:
        _remove_empty_directories(root)
    return removed


def _remove_empty_directories(root: str) -> None:
    for directory, _, _ in os.walk(root, topdown=False):  # deepest first, so emptied parents go too
        if directory != root:
            with contextlib.suppress(OSError):  # not empty: keep it
                os.rmdir(directory)


def _files_under(root: str) -> list[str]:
    if not os.path.isdir(root):
        return []
    return [os.path.join(directory, name) for directory, _, names in os.walk(root) for name in names]


def _outermost(roots: list[str]) -> list[str]:
    """Workspaces without the ones nested in another (so no file is listed twice)."""
    return [r for r in roots if not any(o != r and Path(r).is_relative_to(o) for o in roots)]


def _absolute(path: str) -> str:
    return os.path.abspath(os.path.expanduser(path))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
