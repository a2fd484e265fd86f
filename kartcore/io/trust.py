"""Refusing pickles someone else wrote: loading a pickle runs whatever code its writer put in it.

With ``refuse_foreign_pickles`` on, a file that runs code on load (see ``FileFormat.runs_code_on_load``)
is loaded only if it lies under one of the trusted locations, or is a local file owned by the
current user. Files on object storage have no owner we can check, so they must be listed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from kartcore.errors import UntrustedFileError


def check_trusted(path: str, trusted_locations: Iterable[str]) -> None:
    """Raise :class:`UntrustedFileError` unless ``path`` is trusted (see the module docstring)."""
    locations = [location.rstrip("/") for location in trusted_locations if location]
    if any(path == location or path.startswith(location + "/") for location in _forms(locations)):
        return
    remote = "://" in path and not path.startswith("file://")
    if not remote:
        local = path.removeprefix("file://")
        owner = os.stat(local).st_uid
        if owner == os.getuid():
            return
        why = f"it is owned by uid {owner}, not by you (uid {os.getuid()})"
    else:
        why = "files on object storage have no owner kartcore can check"
    raise UntrustedFileError(
        f"refusing to load {path}: loading it runs code and {why}. If you trust whoever wrote it, add its "
        "workspace to [TaskOnKart] trusted_pickle_locations (or set refuse_foreign_pickles = false)"
    )


def _forms(locations: list[str]) -> list[str]:
    """Each location as given and, for local ones, as an absolute path (workspaces are often relative)."""
    forms = list(locations)
    forms += [os.path.abspath(location) for location in locations if "://" not in location]
    return forms
