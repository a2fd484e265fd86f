"""Shared fixtures: every test runs in its own working directory with a clean luigi state."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi.configuration
import pytest
from luigi.task_register import Register

#: What ``verify=yes`` prints when the example pipeline and the project's tests passed: installed from the
#: lock into the project's .venv when the package manager reached an index, else with the hook's interpreter.
VERIFIED = re.compile(
    r"^verify: (installed from (poetry|uv)\.lock into \.venv; )?the pipeline ran and the tests passed \(\d+ passed",
    re.MULTILINE,
)


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


class _CountingFile(io.RawIOBase):
    """A local file that adds every byte read from it to ``counter[0]`` (seeks are free)."""

    def __init__(self, file: io.BufferedReader, counter: list[int]) -> None:
        super().__init__()
        self._file, self._counter = file, counter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def readinto(self, buffer: Any) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        self._counter[0] += len(data)
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``[n]``: how many bytes kartcore read through local storage since the fixture started."""
    from kartcore.io.storage import LocalStorage

    counter = [0]

    def open_read(path: str) -> _CountingFile:
        return _CountingFile(open(path, "rb"), counter)

    monkeypatch.setattr(LocalStorage, "open_read", staticmethod(open_read))
    return counter
