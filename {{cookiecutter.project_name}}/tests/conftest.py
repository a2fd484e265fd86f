"""Every test runs in an empty directory, so tasks write to a throwaway ./resources/ workspace."""

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# luigi warns when it is imported unless its config sets [core] autoload_range. The tests use luigi's
# defaults rather than conf/param.ini (main.py reads that one first), so ignore exactly that warning:
# every other warning still fails a test (filterwarnings = ["error"] in pyproject.toml).
warnings.filterwarnings("ignore", message=r"\s*Autoloading range tasks", category=DeprecationWarning, module="luigi")

from luigi.task_register import Register  # noqa: E402  (after the filter above)

# luigi has no type hints; this is the one function of it the tests call.
clear_instance_cache: Callable[[], None] = Register.clear_instance_cache


@pytest.fixture(autouse=True)
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    clear_instance_cache()
    yield tmp_path / "resources"
    clear_instance_cache()
