"""What a DAG needs from its workspaces, against what is there: the basis of ``kart clean``.

A task needs its outputs and its run records (``log/<kind>/<Class>_<unique id>``): the records say
how the outputs were made, and ``restore()``/``kart history`` read them. Everything else in the
workspaces of the DAG's tasks is not needed by this DAG: outputs of old parameters, of tasks
that left the pipeline, records of other runs and ``.kart-tmp-`` leftovers of killed writes.

Paths are compared as absolute, normalised paths. Comparing the strings the tasks produce
(``./resources/x.pkl``) with the walked ones (``resources/x.pkl``) is how a cleaner ends up
deleting the files it meant to keep when the workspace is the default relative ``./resources/``.

A workspace in an object store (``s3://bucket/prefix``) is listed through the storage layer, which
spells every object ``<workspace>/<rest of its key>`` as tasks spell their paths; those are compared
as written, since a key is an exact string (``a//b`` and ``a/b`` are two objects, so normalising
could delete the wrong one). Only objects under the prefix are ever listed, so only they can go;
every listing happens in :func:`inspect`, before :func:`remove_unneeded` deletes anything. Object
stores have no directories, so there is nothing to remove once the objects are gone.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from kartcore.errors import KartError, StorageError
from kartcore.io.atomic import is_temp_path
from kartcore.io.storage import RemoteStorage, is_remote, protocol_of, storage_for
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
    """A workspace that holds more than outputs (the project itself, a home directory, ``/``, a whole store)."""


@dataclass
class WorkspaceReport:
    """The files of the DAG's workspaces, split into those the DAG needs and the rest."""

    workspaces: list[str] = field(default_factory=list)
    needed: set[str] = field(default_factory=set)
    kept: list[str] = field(default_factory=list)
    unneeded: list[str] = field(default_factory=list)

    def unneeded_bytes(self) -> int:
        return sum(_size(path) for path in self.unneeded)


def record_paths(task: TaskOnKart) -> list[str]:
    """The run records ``task`` writes (whether or not they exist)."""
    return [
        log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)
        for kind, extension in RECORD_FILES
    ]


def needed_paths(dag: Dag) -> set[str]:
    """Every output and run record of the DAG's tasks: local ones absolute, remote ones as written."""
    needed: set[str] = set()
    for task in dag.tasks.values():
        paths = output_paths(task)
        if isinstance(task, TaskOnKart):
            paths += record_paths(task)
        needed.update(path if is_remote(path) else _absolute(_local(path)) for path in paths)
    return needed


def workspaces_of(dag: Dag) -> list[str]:
    """The workspace directories of the DAG's kart tasks (as given, deduplicated)."""
    return list(dict.fromkeys(t.workspace_directory for t in dag.tasks.values() if isinstance(t, TaskOnKart)))


def inspect(dag: Dag, protected: Path | None = None) -> WorkspaceReport:
    """Every file under the DAG's workspaces, local or in an object store, needed or not.

    ``protected`` (the project root) must not be inside a workspace: cleaning that workspace would
    delete the project's own files, so it is refused with :class:`UnsafeWorkspaceError`. A remote
    listing that fails raises :class:`~kartcore.errors.StorageError` (nothing is deleted here).
    """
    report = WorkspaceReport(needed=needed_paths(dag))
    for workspace in workspaces_of(dag):
        if is_remote(workspace):
            root = check_remote_workspace(workspace)
        else:
            root = _absolute(_local(workspace))
            check_workspace(root, protected)
        if root not in report.workspaces:  # "./resources" and "./resources/" are one workspace
            report.workspaces.append(root)
    local_roots = [root for root in report.workspaces if not is_remote(root)]
    needed_directories = [  # a directory output keeps its files
        path for path in report.needed if not is_remote(path) and os.path.isdir(path)
    ]
    for root in _outermost(local_roots):
        for path in _files_under(root):
            needed = path in report.needed or any(Path(path).is_relative_to(d) for d in needed_directories)
            (report.kept if needed and not is_temp_path(path) else report.unneeded).append(path)
    needed_prefixes = {path.rstrip("/") for path in report.needed if is_remote(path)}
    for root in _outermost_remote([root for root in report.workspaces if is_remote(root)]):
        for path in _objects_under(root):
            needed = path in report.needed or any(parent in needed_prefixes for parent in _remote_parents(path))
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


def check_remote_workspace(workspace: str) -> str:
    """The workspace's root (``s3://bucket/prefix``, no trailing ``/``); a whole store (``s3://``) is refused."""
    if not workspace.partition("://")[2].strip("/"):
        raise UnsafeWorkspaceError(
            f"workspace {workspace} is a whole {protocol_of(workspace)}:// store; refusing to clean it"
        )
    return workspace.rstrip("/")


def remove_unneeded(report: WorkspaceReport) -> list[str]:
    """Delete the unneeded files, then the local directories that became empty; return what was deleted.

    A remote object is deleted through its storage, which treats one already gone as deleted.
    """
    removed = []
    for path in report.unneeded:
        if is_remote(path):
            storage_for(path).remove(path)
            removed.append(path)
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    for root in report.workspaces:
        if not is_remote(root):
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


def _objects_under(root: str) -> list[str]:
    storage = storage_for(root)
    assert isinstance(storage, RemoteStorage)
    return [path for path in storage.list_files(root) if path.startswith(root + "/")]  # never outside the prefix


def _remote_parents(path: str) -> list[str]:
    """``s3://b/p/x/y.pkl`` -> ``s3://b/p/x``, ``s3://b/p``, ``s3://b``: the "directories" an output may be."""
    scheme, _, rest = path.partition("://")
    parts = rest.split("/")[:-1]
    return [f"{scheme}://{'/'.join(parts[:end])}" for end in range(len(parts), 0, -1)]


def _outermost_remote(roots: list[str]) -> list[str]:
    """Remote workspaces without the ones under another's prefix (compared as strings, like keys)."""
    return [r for r in roots if not any(o != r and r.startswith(o + "/") for o in roots)]


def _outermost(roots: list[str]) -> list[str]:
    """Workspaces without the ones nested in another (so no file is listed twice)."""
    return [r for r in roots if not any(o != r and Path(r).is_relative_to(o) for o in roots)]


def _local(path: str) -> str:
    """``file:///abs/x`` -> ``/abs/x``: a ``file://`` URL is a local path (as the storage layer treats it)."""
    return path[len("file://") :] if protocol_of(path) == "file" else path


def _absolute(path: str) -> str:
    return os.path.abspath(os.path.expanduser(path))


def _size(path: str) -> int:
    if is_remote(path):
        try:
            return storage_for(path).size(path)
        except (FileNotFoundError, StorageError):  # like an unreadable local file: the size is only a hint
            return 0
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
