"""Shared fixtures: every test runs in its own working directory with a clean luigi state."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import luigi.configuration
import pytest
from luigi.task_register import Register


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in tmp_path (so ./resources/ lands there) with luigi's config and instance cache restored after."""
    monkeypatch.chdir(tmp_path)
    parser_class = luigi.configuration.LuigiConfigParser
    saved_paths = list(parser_class._config_paths)
    Register.clear_instance_cache()
    yield
    Register.clear_instance_cache()
    parser_class._config_paths = saved_paths
    parser_class._instance = None


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The default workspace of tasks run in the test (``./resources`` under the test's directory)."""
    return tmp_path / "resources"


def files_under(root: Path) -> list[str]:
    """Every file under ``root``, relative and sorted (for exact layout assertions)."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def no_temp_files(root: Path) -> bool:
    """True when no atomic-write temp file was left anywhere under ``root``."""
    return not any(".kart-tmp-" in name for _, _, names in os.walk(root) for name in names)


def save_json(obj: object, path: str) -> None:
    """A model saver for make_model_target tests: the object as JSON."""
    with open(path, "w") as file:
        json.dump(obj, file)


def load_json(path: str) -> object:
    """The loader matching :func:`save_json`."""
    with open(path) as file:
        return json.load(file)
