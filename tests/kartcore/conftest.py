"""Fixtures shared by the tests of kartcore's modules."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the session: luigi and kartcore are analysed once per plugin set (about 10 s each)."""
    return tmp_path_factory.mktemp("mypy-cache")
