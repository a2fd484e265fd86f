"""Where a task's files go: ``<workspace>/<relative path stem>_<unique id><ext>``.

The scheme is gokart's, so a cache written by gokart is found by kartcore and the other way round.
Unlike gokart, a relative path that would leave the workspace (``../x.pkl``, ``/etc/x.pkl``) is
refused: outputs are deleted and overwritten by reruns, so they must stay inside the workspace.
The workspace may be an object store (``s3://bucket/prefix``): paths under it are joined with ``/``.
"""

from __future__ import annotations

import os
import posixpath

from kartcore.errors import UnsafePathError
from kartcore.io.formats import supported_extensions
from kartcore.io.storage import is_remote, join

LOG_DIRECTORY = "log"


def default_relative_path(task_class: type) -> str:
    """``pkg/module/ClassName.pkl``: the module path, then the class name (not the luigi family)."""
    return f"{task_class.__module__.replace('.', '/')}/{task_class.__name__}.pkl"


def check_relative_path(relative_path: str) -> None:
    """Refuse absolute paths, paths that climb out of the workspace and paths without a file name."""
    normalised = posixpath.normpath(relative_path.replace("\\", "/"))
    if (
        not relative_path
        or os.path.isabs(relative_path)
        or normalised.startswith("/")
        or normalised == ".."
        or normalised.startswith("../")
        or "://" in relative_path
    ):
        raise UnsafePathError(
            f"output path {relative_path!r} escapes the workspace; use a path relative to "
            "workspace_directory without '..' (e.g. 'model/result.pkl')"
        )
    name = posixpath.basename(normalised)
    if relative_path.endswith(("/", "\\")) or (name.startswith(".") and name.lower() in supported_extensions()):
        # 'by_value/.pkl' (an empty parameter value) would be a hidden file with no extension at all.
        raise UnsafePathError(
            f"output path {relative_path!r} has no file name"
            + (f" before its extension {name!r}" if name.startswith(".") else "")
            + "; name the file, e.g. 'model/result.pkl' (is a parameter value in it empty?)"
        )


def with_unique_id(path: str, unique_id: str) -> str:
    """Insert ``_<unique_id>`` before the last extension: ``a/b.tar.gz`` → ``a/b.tar_<id>.gz``."""
    root, extension = os.path.splitext(path)
    return f"{root}_{unique_id}{extension}"


def output_path(workspace_directory: str, relative_path: str, unique_id: str | None) -> str:
    """The full path of an output file, with the unique id when one is given."""
    check_relative_path(relative_path)
    path = join(workspace_directory, relative_path)
    if "\x00" in path:
        raise UnsafePathError(f"output path {path!r} contains a NUL byte, which no file system accepts")
    _check_resolved(workspace_directory, relative_path, path)
    return with_unique_id(path, unique_id) if unique_id else path


def _check_resolved(workspace_directory: str, relative_path: str, path: str) -> None:
    """Refuse a local path whose ``..`` climbs out of the workspace from inside a symlinked directory.

    ``link/../x.pkl`` is ``x.pkl`` to :func:`check_relative_path`, but the OS follows ``link`` before
    ``..``: when ``link`` points outside, the file lands outside. So such paths are compared resolved.
    A symlinked directory without ``..`` after it is the user's own choice of where outputs go.
    """
    if ".." not in relative_path.replace("\\", "/").split("/") or is_remote(workspace_directory):
        return
    root = os.path.realpath(_strip_file(workspace_directory))
    opens = os.path.realpath(_strip_file(path))
    if opens != root and not opens.startswith(root.rstrip(os.sep) + os.sep):
        raise UnsafePathError(
            f"output path {relative_path!r} leaves the workspace {workspace_directory} through a symlink "
            f"(it opens {opens}); use a path under the workspace without '..'"
        )


def _strip_file(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def log_path(workspace_directory: str, kind: str, class_name: str, unique_id: str, extension: str) -> str:
    """``<workspace>/log/<kind>/<ClassName>_<unique id><ext>``, the layout of gokart's run records."""
    return join(workspace_directory, LOG_DIRECTORY, kind, f"{class_name}_{unique_id}{extension}")
