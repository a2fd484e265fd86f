"""Property tests over the two guards, so the next bypass is found by a test rather than a user (issue 12).

* Pickle trust: for any arrangement of owners, modes, groups, trusted locations and symlinks, with
  ``refuse_foreign_pickles`` on, no load path unpickles a file that is not the user's alone and not
  (once every link is resolved) under a trusted location; and the user's own files still load.
* Output paths: for any output path string, a task writes nothing outside its workspace.

The ids, paths and task_params properties are in ``test_properties.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kartcore
from kartcore.errors import KartError, UntrustedFileError
from kartcore.io import Target
from kartcore.io.formats import format_for_extension
from kartcore.io.trust import TrustPolicy
from tests import canary

OTHER_GID = 54321


@dataclass(frozen=True)
class Arrangement:
    """Where the canary pickle lies, who owns it, how it is reached and what is trusted."""

    owner_is_me: bool
    mode: int
    group_is_other: bool
    inside_trusted: bool
    reached_by: str  # "path", "link from the trusted dir", "link from elsewhere", "two links"
    link_owner_is_me: bool
    trusted: str  # "nothing", "the dir", "a link to the dir", "the dir, relative"


ARRANGEMENTS = st.builds(
    Arrangement,
    owner_is_me=st.booleans(),
    mode=st.sampled_from([0o600, 0o644, 0o664, 0o666, 0o646, 0o620]),
    group_is_other=st.booleans(),
    inside_trusted=st.booleans(),
    reached_by=st.sampled_from(["path", "link from the trusted dir", "link from elsewhere", "two links"]),
    link_owner_is_me=st.booleans(),
    trusted=st.sampled_from(["nothing", "the dir", "a link to the dir", "the dir, relative"]),
)


class Loader(kartcore.TaskOnKart):
    task_namespace = "guard_properties"

    def run(self) -> None:  # never runs: used for its load() only
        self.dump(None)


def _lay_out(root: Path, arrangement: Arrangement) -> tuple[str, list[str], bool]:
    """The path to load, the trusted locations, and whether the file may be unpickled (the specification)."""
    trusted_dir, elsewhere = root / "trusted", root / "elsewhere"
    trusted_dir.mkdir()
    elsewhere.mkdir()
    real = canary.plant((trusted_dir if arrangement.inside_trusted else elsewhere) / "model.pkl", uid=None)
    os.chmod(real, arrangement.mode)
    owner = os.geteuid() if arrangement.owner_is_me else canary.OTHER_UID
    os.chown(real, owner, OTHER_GID if arrangement.group_is_other else os.getegid())
    path = real
    if arrangement.reached_by != "path":
        first = (trusted_dir if arrangement.reached_by == "link from the trusted dir" else elsewhere) / "link.pkl"
        first.symlink_to(real)
        path = first
        if arrangement.reached_by == "two links":
            path = trusted_dir / "link2.pkl"
            path.symlink_to(first)
        os.lchown(path, os.geteuid() if arrangement.link_owner_is_me else canary.OTHER_UID, -1)
    (root / "trusted-link").symlink_to(trusted_dir)
    locations = {
        "nothing": [],
        "the dir": [str(trusted_dir)],
        "a link to the dir": [str(root / "trusted-link")],
        "the dir, relative": [os.path.relpath(trusted_dir)],
    }[arrangement.trusted]
    status = os.stat(real)
    writable_by_others = status.st_mode & stat.S_IWOTH or (status.st_mode & stat.S_IWGRP and _shared(status.st_gid))
    mine_alone = status.st_uid == os.geteuid() and not writable_by_others
    under_trusted = bool(locations) and arrangement.inside_trusted  # where the file really is, links resolved
    return str(path), locations, mine_alone or under_trusted


def _shared(gid: int) -> bool:
    """Someone else may be in the group: not the user's own primary group with no other member."""
    import grp
    import pwd

    me = pwd.getpwuid(os.geteuid())
    return gid != me.pw_gid or any(member != me.pw_name for member in grp.getgrgid(gid).gr_mem)


def _load_paths(path: str, locations: list[str]) -> dict[str, Callable[[], Any]]:
    """Every way kartcore reads a pickle at ``path``, each with the setting on and ``locations`` trusted."""
    policy = TrustPolicy(True, tuple(locations))
    loader = Loader(refuse_foreign_pickles=True, trusted_pickle_locations=locations)
    return {
        "Target.load (configured)": lambda: Target(path).load(),
        "Target.load (loader's policy)": lambda: Target(path).load(trust=policy),
        "Target.load (target's policy)": lambda: Target(path, trust=policy).load(),
        "Target.preview": lambda: Target(path, trust=policy).preview(rows=5, budget=1 << 20),
        "a task's load()": lambda: loader.load(Target(path)),
    }


@pytest.mark.skipif(not canary.needs_root, reason="changing a file's owner needs root")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ARRANGEMENTS)
def test_no_load_path_unpickles_a_file_that_is_not_trusted(arrangement: Arrangement) -> None:
    root = Path(tempfile.mkdtemp(dir=".")).resolve()
    path, locations, trusted = _lay_out(root, arrangement)
    config = luigi.configuration.get_config()
    config.set("TaskOnKart", "refuse_foreign_pickles", "true")
    config.set("TaskOnKart", "trusted_pickle_locations", json.dumps(locations))
    try:
        for name, load in _load_paths(path, locations).items():
            canary.reset()
            try:
                load()
            except UntrustedFileError:
                assert not trusted, f"{name} refused a trusted file: {arrangement}"
                assert canary.TRIPPED == [], f"{name} unpickled before refusing: {arrangement}"
            else:
                assert trusted, f"{name} unpickled a file it must not trust: {arrangement}"
                assert canary.TRIPPED == ["canary"], f"{name} did not really load: {arrangement}"
    finally:
        config.remove_option("TaskOnKart", "trusted_pickle_locations")


PATH_PIECES = st.sampled_from(["", ".", "..", "/", "\\", "~", "a", "b.pkl", "..\\", "//", "\x00", "s3://b/", "é"])
PATHS = st.one_of(
    st.lists(PATH_PIECES, min_size=1, max_size=8).map("".join),
    st.text(alphabet=st.sampled_from("./\\a~:é"), min_size=1, max_size=20),
    st.text(max_size=30),
)


class Placed(kartcore.TaskOnKart[str]):
    task_namespace = "guard_properties"
    where = luigi.Parameter()
    workspace_directory = luigi.Parameter(default="./sandbox/workspace/", significant=False)

    def output(self) -> Target:
        return self.make_target(self.where, processor=format_for_extension(".pkl"))

    def run(self) -> None:
        self.dump("written")


def _files(root: Path, leave_out: Path) -> set[str]:
    return {str(path) for path in root.rglob("*") if path.is_file() and leave_out not in path.parents}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PATHS)
def test_a_task_never_writes_outside_its_workspace(where: str) -> None:
    sandbox = Path("sandbox").resolve()
    workspace = sandbox / "workspace"
    (sandbox / "outside").mkdir(parents=True, exist_ok=True)
    before = _files(sandbox, workspace)
    try:
        path: str | None = Placed(where=where).output().path()
    except KartError:
        path = None  # refused before anything could be written
    with contextlib.suppress(KartError, ValueError, TypeError):  # refused, naming the path: then nothing is written
        kartcore.build(Placed(where=where), return_value=False)
    assert _files(sandbox, workspace) == before, f"output path {where!r} wrote outside {workspace}"
    if path is not None:
        resolved = os.path.realpath(path)
        assert os.path.commonpath([str(workspace), resolved]) == str(workspace), (where, path)
