"""bundle_runtime() from an installed gokart-core (``kart new`` after ``pipx install gokart-core``).

No repository pyproject.toml sits next to an installed kartcore, so the vendored pyproject comes from the
distribution's own metadata. Here that installation is a site-packages directory made by hand the way
poetry-core writes a wheel (the real wheel is tested in tests/e2e/test_kart_new_from_wheel.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import hook_bundle
import hook_common
import pytest
import tomllib
from packaging.requirements import Requirement

from tests.template.conftest import PACKAGED_TEMPLATE, REPO_ROOT, copy_template

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def normalized(requirements: list[str]) -> set[str]:
    """Requirements compared by meaning (poetry-core writes ``luigi (>=3.5,<4)``, pyproject says ``luigi>=3.5,<4``)."""
    return {str(Requirement(requirement)) for requirement in requirements}


def wheel_style(requirement: str, extra: str | None = None) -> str:
    """A Requires-Dist value as poetry-core writes it."""
    parsed = Requirement(requirement)
    name = parsed.name + (f"[{','.join(sorted(parsed.extras))}]" if parsed.extras else "")
    text = f"{name} ({parsed.specifier})" if parsed.specifier else name
    markers = [str(parsed.marker)] if parsed.marker else []
    markers += [f'extra == "{extra}"'] if extra else []
    return text + (f" ; {' and '.join(markers)}" if markers else "")


@pytest.fixture
def site_packages(tmp_path: Path) -> Path:
    """kartcore (with the template as the wheel carries it) and a gokart_core dist-info, without a pyproject.toml."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO_ROOT / "kartcore", site / "kartcore", ignore=shutil.ignore_patterns("__pycache__"))
    copy_template(site / PACKAGED_TEMPLATE)
    info = site / f"gokart_core-{PROJECT['version']}.dist-info"
    (info / "licenses").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "LICENSE", info / "licenses" / "LICENSE")
    requires = [wheel_style(item) for item in PROJECT["dependencies"]]
    extras = PROJECT["optional-dependencies"]
    requires += [wheel_style(item, extra) for extra, items in extras.items() for item in items]
    requires.append(wheel_style("tomli>=2.0; python_version < '3.11'", "dask"))  # an extra's clause beside another
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\n"
        f"Name: {PROJECT['name']}\nVersion: {PROJECT['version']}\nRequires-Python: {PROJECT['requires-python']}\n"
        + "".join(f"Requires-Dist: {item}\n" for item in sorted(requires)),
        encoding="utf-8",
    )
    scripts = "".join(f"{name} = {target}\n" for name, target in PROJECT["scripts"].items())
    (info / "entry_points.txt").write_text(f"[console_scripts]\n{scripts}", encoding="utf-8")
    files = ["METADATA", "entry_points.txt", "licenses/LICENSE", "RECORD"]
    (info / "RECORD").write_text("".join(f"{info.name}/{name},,\n" for name in files), encoding="utf-8")
    return site


def test_the_vendored_pyproject_of_an_installed_runtime_matches_the_repository(
    site_packages: Path, tmp_path: Path
) -> None:
    vendor = hook_bundle.bundle_runtime(tmp_path / "project", site_packages / PACKAGED_TEMPLATE)
    vendored = tomllib.loads((vendor / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for key in ("name", "version", "requires-python", "scripts"):
        assert vendored[key] == PROJECT[key], key
    runtime = hook_bundle.runtime_dependencies(PROJECT["dependencies"])
    assert normalized(vendored["dependencies"]) == normalized(runtime)
    assert len(vendored["dependencies"]) == len(runtime)  # no extra's requirement slipped in
    assert not [item for item in vendored["dependencies"] if "(" in item]  # written as pyproject writes them
    extras = {name: normalized(items) for name, items in PROJECT["optional-dependencies"].items() if name != "dev"}
    extras["dask"] |= normalized(["tomli>=2.0; python_version < '3.11'"])
    assert {name: normalized(items) for name, items in vendored["optional-dependencies"].items()} == extras
    assert (vendor / "LICENSE").read_bytes() == (REPO_ROOT / "LICENSE").read_bytes()
    assert (vendor / "kartcore" / "__init__.py").is_file()
    assert not (vendor / "kartcore" / "templates").exists()


def test_an_installed_runtime_without_its_metadata_is_refused(site_packages: Path, tmp_path: Path) -> None:
    for info in site_packages.glob("*.dist-info"):
        shutil.rmtree(info)
    refused = r"cannot bundle kartcore: neither .* nor an installed gokart"
    with pytest.raises(hook_common.VerificationError, match=refused):
        hook_bundle.bundle_runtime(tmp_path / "project", site_packages / PACKAGED_TEMPLATE)


def test_a_pyproject_of_another_project_next_to_kartcore_is_not_taken_for_the_runtime(
    site_packages: Path, tmp_path: Path
) -> None:
    (site_packages / "pyproject.toml").write_text('[project]\nname = "someone-else"\nversion = "9.9"\n')
    metadata = hook_bundle.runtime_metadata(site_packages / "kartcore")
    assert (metadata["name"], metadata["version"]) == (PROJECT["name"], PROJECT["version"])
