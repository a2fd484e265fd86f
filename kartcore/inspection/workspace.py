"""What a DAG needs from its workspaces, against what is there: the basis of ``kart clean``.

A task needs its outputs and its run records (``log/<kind>/<Class>_<unique id>.<ext>``, of every
kind found in the workspace's ``log/``: the ones kartcore writes today, ``checksum`` records that
``verify_outputs`` checks inputs against, and any kind added later), since the records say how the
outputs were made and ``restore()``, ``kart history`` and input checks read them. The record paths
come from :func:`kartcore.task.naming.log_path`, the one place that knows their layout, so no list
of kinds is kept here. Everything else in the workspaces of the DAG's tasks is not needed by this
DAG: outputs of old parameters, of tasks that left the pipeline, records of other runs and
``.kart-tmp-`` leftovers of killed writes. A temp file whose writer may still be running (a build
in progress stages its outputs there until ``run()`` returns) is left alone, see
:mod:`kartcore.io.temp_owners`.

Local paths are compared *resolved*: absolute, normalised and with every symlinked directory
replaced by its target. A workspace spelled through a symlink (anything under macOS's temp
directory is) must not slip past the "contains the project" guard, and two spellings of one
directory must not make one spelling's needed files look unneeded under the other. The walk never
follows a symlinked directory, and deleting a symlink removes the link, not its target.

A workspace is refused (:class:`UnsafeWorkspaceError`, before anything is deleted) when it is a
root directory, contains the home directory or the project, or holds files but no kartcore run
records (``log/task_params/``): a mistyped ``workspace_directory`` must not make ``kart clean``
empty a data directory, ``/var`` or ``/home``.

A workspace in an object store (``s3://bucket/prefix``) is listed through the storage layer, which
spells every object ``<workspace>/<rest of its key>`` as tasks spell their paths; those are compared
as written, since a key is an exact string (``a//b`` and ``a/b`` are two objects, so normalising
could delete the wrong one). Only objects under the prefix are ever listed, so only they can go;
every listing happens in :func:`inspect`, before :func:`remove_unneeded` deletes anything. Object
stores have no directories, so there is nothing to remove once the objects are gone. kartcore
never writes temp objects (it stages locally and uploads whole), so a remote ``.kart-tmp-`` object
is a leftover.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kartcore.errors import KartError, StorageError
from kartcore.inspection.tree import Dag
from kartcore.inspection.view import output_paths
from kartcore.io.atomic import host_id, is_temp_path
from kartcore.io.storage import RemoteStorage, is_remote, join, protocol_of, storage_for
from kartcore.io.temp_owners import may_be_in_use
from kartcore.task import TaskOnKart
from kartcore.task.naming import LOG_DIRECTORY, log_path
from kartcore.task.records import MODULE_VERSIONS, PROCESSING_TIME, RANDOM_SEED, RUN_RECORD, TASK_LOG, TASK_PARAMS

#: The run records ``kart show`` lists for a task (kart clean keeps every kind it finds, see above).
RECORD_FILES = (
    (TASK_PARAMS, ".pkl"),
    (RANDOM_SEED, ".pkl"),
    (MODULE_VERSIONS, ".txt"),
    (PROCESSING_TIME, ".pkl"),
    (TASK_LOG, ".pkl"),
    (RUN_RECORD, ".json"),  # kartcore's own, readable without unpickling
)


class UnsafeWorkspaceError(KartError):
    """A workspace that holds more than outputs (the project itself, a home directory, ``/``, a whole store)."""


@dataclass
class WorkspaceReport:
    """The files of the DAG's workspaces: needed (kept), not needed, and temp files of writers that may run."""

    workspaces: list[str] = field(default_factory=list)
    needed: set[str] = field(default_factory=set)
    kept: list[str] = field(default_factory=list)
    unneeded: list[str] = field(default_factory=list)
    in_use: list[str] = field(default_factory=list)

    def unneeded_bytes(self) -> int:
        return sum(_size(path) for path in self.unneeded)


def record_paths(task: TaskOnKart) -> list[str]:
    """The run records :data:`RECORD_FILES` of ``task`` (whether or not they exist)."""
    return [
        log_path(task.workspace_directory, kind, type(task).__name__, task.make_unique_id(), extension)
        for kind, extension in RECORD_FILES
    ]


def needed_paths(dag: Dag) -> set[str]:
    """Every output of the DAG's tasks: local ones resolved (see the module docstring), remote ones as written."""
    directories: dict[str, str] = {}  # realpath once per directory: thousands of outputs share a few
    return {
        path if is_remote(path) else resolved(path, directories)
        for task in dag.tasks.values()
        for path in output_paths(task)
    }


def workspaces_of(dag: Dag) -> list[str]:
    """The workspace directories of the DAG's kart tasks (as given, deduplicated)."""
    return list(dict.fromkeys(t.workspace_directory for t in dag.tasks.values() if isinstance(t, TaskOnKart)))


def inspect(dag: Dag, protected: Path | None = None) -> WorkspaceReport:
    """Every file under the DAG's workspaces, local or in an object store, needed or not.

    Raises :class:`UnsafeWorkspaceError` for a workspace that must not be cleaned (see the module
    docstring; ``protected`` is the project root). A remote listing that fails raises
    :class:`~kartcore.errors.StorageError`. Nothing is deleted here.
    """
    report = WorkspaceReport(needed=needed_paths(dag))
    roots = {workspace: _root_of(workspace, protected) for workspace in workspaces_of(dag)}
    report.workspaces = list(dict.fromkeys(roots.values()))  # "./resources" and "./resources/" are one workspace
    files = {root: _listing(root) for root in _outermost(report.workspaces)}  # every listing before any check
    kinds = {root: _record_kinds(root, files) for root in report.workspaces}
    for root, found in files.items():
        if found and TASK_PARAMS not in kinds[root]:
            raise UnsafeWorkspaceError(
                f"workspace {root} holds files but no kartcore run records ({LOG_DIRECTORY}/{TASK_PARAMS}/): "
                "it does not look like a kartcore workspace; refusing to clean it (check workspace_directory)"
            )
    records = _record_stems(dag, roots, kinds)
    needed_directories = [path for path in report.needed if not is_remote(path) and os.path.isdir(path)]
    needed_prefixes = {path.rstrip("/") for path in report.needed if is_remote(path)}
    here = host_id()
    for path in (path for found in files.values() for path in found):
        if is_temp_path(path):
            in_use = not is_remote(path) and may_be_in_use(path, here)
            (report.in_use if in_use else report.unneeded).append(path)
        elif _needed(path, report.needed, records, needed_directories, needed_prefixes):
            report.kept.append(path)
        else:
            report.unneeded.append(path)
    for found in (report.kept, report.unneeded, report.in_use):
        found.sort()
    return report


def resolved(path: str, directories: dict[str, str] | None = None) -> str:
    """A local path made absolute with its directories' symlinks resolved; the last part itself is not followed.

    So an output that is a symlink stays that link (what the walk lists, and what deleting removes).
    ``directories`` memoises the resolved directories over many calls.
    """
    directory, name = os.path.split(_absolute(path))
    cache = {} if directories is None else directories
    real = cache.get(directory)
    if real is None:
        real = cache[directory] = os.path.realpath(directory)
    return os.path.join(real, name)


def check_workspace(root: str, protected: Path | None) -> None:
    """Refuse a workspace that is ``/`` or contains the home directory, the Python installation running
    kart (``/usr``, ``/opt/conda``: system directories), or the project (``protected``).

    Every path is compared resolved, whatever symlinks spell it.
    """
    path = Path(os.path.realpath(root))
    if path == Path(path.anchor):
        raise UnsafeWorkspaceError(f"workspace {root} is a root directory; refusing to clean it")
    home = _home()
    if home is not None and home.is_relative_to(path):
        raise UnsafeWorkspaceError(f"workspace {root} contains your home directory {home}; refusing to clean it")
    for prefix in dict.fromkeys(Path(os.path.realpath(p)) for p in (sys.prefix, sys.base_prefix)):
        if prefix.is_relative_to(path):
            raise UnsafeWorkspaceError(
                f"workspace {root} contains the Python installation {prefix} running kart; refusing to clean it"
            )
    if protected is not None and Path(os.path.realpath(protected)).is_relative_to(path):
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


def _listing(root: str) -> list[str]:
    return _objects_under(root) if is_remote(root) else _files_under(root)


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


def _outermost(roots: list[str]) -> list[str]:
    """Workspaces without the ones nested in another (so no file is listed twice); remote ones compared as keys."""
    return [r for r in roots if not any(o != r and _nested(r, o) for o in roots)]


def _nested(inner: str, outer: str) -> bool:
    if is_remote(inner) or is_remote(outer):
        return inner.startswith(outer + "/")
    return Path(inner).is_relative_to(outer)


def _root_of(workspace: str, protected: Path | None) -> str:
    """The root that is walked: remote as written (no trailing ``/``), local fully resolved; refused if unsafe."""
    if is_remote(workspace):
        return check_remote_workspace(workspace)
    root = os.path.realpath(_absolute(workspace))
    check_workspace(root, protected)
    return root


def _record_kinds(root: str, files: dict[str, list[str]]) -> set[str]:
    """The record kinds in ``root``'s log directory: ``<kind>`` of every listed ``<root>/log/<kind>/<file>``.

    Taken from the listing rather than from a table of kinds, so records kartcore adds later are kept too.
    """
    separator = "/" if is_remote(root) else os.sep
    log = join(root, LOG_DIRECTORY) + separator
    kinds = set()
    for found in files.values():
        for path in found:
            kind, nested, _ = path[len(log) :].partition(separator)
            if nested and path.startswith(log):
                kinds.add(kind)
    return kinds


def _record_stems(dag: Dag, roots: dict[str, str], kinds: dict[str, set[str]]) -> set[str]:
    """``<root>/log/<kind>/<Class>_<unique id>`` of every kart task and every record kind in its workspace."""
    stems: set[str] = set()
    for task in dag.tasks.values():
        if isinstance(task, TaskOnKart):
            root, name, unique_id = roots[task.workspace_directory], type(task).__name__, task.make_unique_id()
            stems.update(log_path(root, kind, name, unique_id, "") for kind in kinds[root])
    return stems


def _needed(path: str, outputs: set[str], records: set[str], directories: list[str], prefixes: set[str]) -> bool:
    """An output, a record of a needed task, or a file inside a directory output."""
    if path in outputs or os.path.splitext(path)[0] in records:
        return True
    if is_remote(path):
        return any(parent in prefixes for parent in _remote_parents(path))
    return any(Path(path).is_relative_to(directory) for directory in directories)


def _home() -> Path | None:
    try:
        return Path(os.path.realpath(Path.home()))
    except (RuntimeError, KeyError):  # no home directory to protect (no HOME, no passwd entry)
        return None


def _absolute(path: str) -> str:
    """A local path or ``file://`` URL as an absolute, normalised path (``~`` expanded, symlinks not resolved)."""
    local = path[len("file://") :] if protocol_of(path) == "file" else path  # as the storage layer treats it
    return os.path.abspath(os.path.expanduser(local))


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
