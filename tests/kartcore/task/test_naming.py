"""Output paths: a relative path that leaves the workspace is refused, also when a symlink makes it leave."""

from __future__ import annotations

from pathlib import Path

import pytest

import kartcore
from kartcore.errors import BuildError, UnsafePathError
from kartcore.task.naming import output_path
from tests.conftest import files_under


@pytest.fixture
def linked_workspace(tmp_path: Path) -> Path:
    """``ws/link`` -> ``outside/deep``: ``ws/link/../x.pkl`` is lexically ``ws/x.pkl`` but opens ``outside/x.pkl``."""
    (tmp_path / "outside" / "deep").mkdir(parents=True)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "link").symlink_to(tmp_path / "outside" / "deep", target_is_directory=True)
    return tmp_path / "ws"


def test_dot_dot_after_a_symlink_leaving_the_workspace_is_refused(linked_workspace: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError) as info:
        output_path(str(linked_workspace), "link/../x.pkl", "0123")
    assert str(info.value) == (
        f"output path 'link/../x.pkl' leaves the workspace {linked_workspace} through a symlink (it opens "
        f"{tmp_path / 'outside' / 'x.pkl'}); use a path under the workspace without '..'"
    )


def test_a_task_writing_through_such_a_path_writes_nothing(linked_workspace: Path, tmp_path: Path) -> None:
    class Sneaky(kartcore.TaskOnKart[int]):
        def output(self) -> kartcore.Target:
            return self.make_target("link/../x.pkl", use_unique_id=False)

        def run(self) -> None:
            self.dump(1)

    with pytest.raises(BuildError) as info:
        kartcore.build(Sneaky(workspace_directory=str(linked_workspace)))
    assert isinstance(info.value.exception, UnsafePathError)
    assert files_under(tmp_path / "outside") == []


def test_dot_dot_that_stays_inside_and_symlinks_without_dot_dot_are_allowed(linked_workspace: Path) -> None:
    (linked_workspace / "sub").mkdir()
    assert output_path(str(linked_workspace), "sub/../x.pkl", "0123") == str(linked_workspace / "sub/../x_0123.pkl")
    # A symlinked directory the user made inside the workspace (to store outputs on another disk) is theirs.
    assert output_path(str(linked_workspace), "link/x.pkl", "") == str(linked_workspace / "link" / "x.pkl")
