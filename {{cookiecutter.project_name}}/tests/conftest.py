"""Every test runs in an empty directory, so tasks write to a throwaway ./resources/ workspace."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from luigi.task_register import Register


@pytest.fixture(autouse=True)
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    Register.clear_instance_cache()
    yield tmp_path / "resources"
    Register.clear_instance_cache()
