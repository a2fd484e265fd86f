"""The module -> distribution map read from header lines matches importlib.metadata's full parse."""

from __future__ import annotations

from importlib import metadata

from kartcore.task import module_versions


def _expected() -> dict[str, dict[str, str]]:
    """The slow, obviously right way: full metadata parse and ``dist.files`` for every distribution."""
    found: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        declared = (distribution.read_text("top_level.txt") or "").split()
        modules = set(declared) or {
            f.parts[0] if len(f.parts) > 1 else f.with_suffix("").name
            for f in distribution.files or []
            if f.suffix == ".py"
        }
        for module in modules:
            found.setdefault(module, {})[name] = distribution.version
    return found


def test_map_equals_the_full_metadata_parse() -> None:
    assert module_versions.distributions_by_module() == _expected()


def test_imported_distributions_are_listed_with_their_versions() -> None:
    import luigi  # noqa: F401 - imported on purpose

    lines = module_versions.module_versions_text().splitlines()
    assert f"luigi=={metadata.version('luigi')}" in lines
    assert lines == sorted(lines, key=str.lower)
    assert all(line.count("==") == 1 for line in lines)
