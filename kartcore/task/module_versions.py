"""The ``name==version`` lines of the distributions whose modules are imported.

gokart's equivalent file is always empty (it inspects the wrong object); ours lists every imported
top-level module that belongs to an installed distribution. The module → distribution map is
built once per process and the result is cached until new modules are imported, so the cost per
task is a dictionary lookup.
"""

from __future__ import annotations

import functools
import sys
from importlib import metadata

_distributions_by_module: dict[str, list[str]] | None = None
_cache: tuple[int, str] = (-1, "")


def _module_map() -> dict[str, list[str]]:
    global _distributions_by_module
    if _distributions_by_module is None:
        _distributions_by_module = metadata.packages_distributions()
    return _distributions_by_module


@functools.cache
def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def module_versions_text() -> str:
    """Sorted ``distribution==version`` lines for the imported top-level modules."""
    global _cache
    loaded = len(sys.modules)
    if _cache[0] == loaded:
        return _cache[1]
    by_module = _module_map()
    lines = set()
    for top in {name.partition(".")[0] for name in list(sys.modules)}:
        for distribution in by_module.get(top, ()):
            version = _version(distribution)
            if version is not None:
                lines.add(f"{distribution}=={version}")
    text = "".join(f"{line}\n" for line in sorted(lines, key=str.lower))
    _cache = (loaded, text)
    return text
