"""refuse_foreign_pickles: pickles load only from trusted locations or the user's own files."""

from __future__ import annotations

import grp
import os
import pickle
import pwd
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
import pytest

import kartcore
from kartcore.errors import UntrustedFileError
from kartcore.io import Target
from kartcore.io.storage import LocalStorage
from kartcore.io.trust import TrustPolicy, check_trusted, configured_policy
from tests import canary


class Written(kartcore.TaskOnKart):
    def run(self) -> None:
        self.dump({"model": "weights"})


class Reader(kartcore.TaskOnKart):
    refuse_foreign_pickles = kartcore.ExplicitBoolParameter(default=True, significant=False)
    trusted_pickle_locations = luigi.ListParameter(default=[], significant=False)

    def requires(self):
        return Written()

    def output(self):
        return self.make_target("reader.txt")

    def run(self) -> None:
        self.dump(str(self.load()))


def test_own_files_load(workspace: Path) -> None:
    kartcore.build(Written())
    assert kartcore.build(Reader()) == ["{'model': 'weights'}"]


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
def test_a_pickle_owned_by_someone_else_is_refused_unless_trusted(workspace: Path) -> None:
    kartcore.build(Written())
    os.chown(Written().output().path(), 12345, -1)
    with pytest.raises(kartcore.BuildError) as info:
        kartcore.build(Reader())
    error = info.value.exception
    assert isinstance(error, UntrustedFileError)
    assert "owned by uid 12345" in str(error) and "trusted_pickle_locations" in str(error)
    assert not Path(Reader().output().path()).exists()
    luigi.task_register.Register.clear_instance_cache()
    assert kartcore.build(Reader(trusted_pickle_locations=["./resources"])) == ["{'model': 'weights'}"]


def test_object_storage_needs_to_be_listed() -> None:
    with pytest.raises(UntrustedFileError, match="no owner kartcore can check"):
        check_trusted("s3://shared/ws/model.pkl", [])
    check_trusted("s3://shared/ws/model.pkl", ["s3://shared/ws/"])
    with pytest.raises(UntrustedFileError):
        check_trusted("s3://shared/wsx/model.pkl", ["s3://shared/ws"])


def test_formats_that_run_code_are_marked() -> None:
    from kartcore.io.formats import format_for_extension

    assert format_for_extension(".pkl").runs_code_on_load
    assert not format_for_extension(".csv").runs_code_on_load
    assert not format_for_extension(".json").runs_code_on_load


# ----- the guard is on the opened file, for every caller (issue 12, finding 2) ---------------------------

needs_root = pytest.mark.skipif(not canary.needs_root, reason="changing a file's owner needs root")


@pytest.fixture
def refusing() -> None:
    luigi.configuration.get_config().set("TaskOnKart", "refuse_foreign_pickles", "true")


@needs_root
def test_a_plain_target_follows_the_configured_setting(tmp_path: Path, refusing: None) -> None:
    path = canary.plant(tmp_path / "x.pkl")
    canary.reset()
    with pytest.raises(UntrustedFileError, match="owned by uid 12345"):
        Target(str(path)).load()
    assert Target(str(path)).load(trust=TrustPolicy()) == "canary", "a loader's own policy wins"
    assert canary.TRIPPED == ["canary"]


@needs_root
def test_a_file_swapped_after_the_check_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusing: None
) -> None:
    """TOCTOU: the file is mine when looked at by name, someone else's when opened; what is read is checked."""
    path = tmp_path / "mine.pkl"
    path.write_bytes(pickle.dumps("mine"))
    swap = canary.plant(tmp_path / "theirs.pkl")
    real_open = LocalStorage.open_read

    def open_after_swap(name: str) -> Any:
        os.replace(swap, name)  # the attacker wins the race between any check by name and the open
        return real_open(name)

    monkeypatch.setattr(LocalStorage, "open_read", staticmethod(open_after_swap))
    canary.reset()
    with pytest.raises(UntrustedFileError):
        Target(str(path)).load(trust=TrustPolicy(True))
    assert canary.TRIPPED == []


@needs_root
def test_a_link_in_a_trusted_location_does_not_vouch_for_a_foreign_file_elsewhere(tmp_path: Path) -> None:
    trusted = tmp_path / "shared"
    trusted.mkdir()
    foreign = canary.plant(tmp_path / "elsewhere" / "evil.pkl")
    link = trusted / "model.pkl"
    link.symlink_to(foreign)
    canary.reset()
    policy = TrustPolicy(True, (str(trusted),))
    with pytest.raises(UntrustedFileError, match="owned by uid 12345"):
        Target(str(link)).load(trust=policy)
    mine = tmp_path / "elsewhere" / "mine.pkl"
    mine.write_bytes(pickle.dumps("mine"))
    (trusted / "mine.pkl").symlink_to(mine)
    assert Target(str(trusted / "mine.pkl")).load(trust=policy) == "mine", "my own file, through a link"
    inside = canary.plant(trusted / "theirs.pkl")  # a file really in the trusted location loads
    assert Target(str(inside)).load(trust=policy) == "canary"
    assert canary.TRIPPED == ["canary"]


@needs_root
def test_my_link_to_a_foreign_file_is_refused(tmp_path: Path) -> None:
    foreign = canary.plant(tmp_path / "theirs.pkl")
    link = tmp_path / "mine.pkl"
    link.symlink_to(foreign)
    canary.reset()
    with pytest.raises(UntrustedFileError):
        Target(str(link)).load(trust=TrustPolicy(True))
    assert canary.TRIPPED == []


@pytest.mark.parametrize(("mode", "refused"), [(0o644, False), (0o600, False), (0o666, True), (0o646, True)])
def test_my_file_that_everyone_can_write_is_not_mine_alone(tmp_path: Path, mode: int, refused: bool) -> None:
    path = canary.plant(tmp_path / "x.pkl", uid=None)
    os.chmod(path, mode)
    canary.reset()
    if refused:
        with pytest.raises(UntrustedFileError, match="world-writable"):
            Target(str(path)).load(trust=TrustPolicy(True))
        assert canary.TRIPPED == []
    else:
        assert Target(str(path)).load(trust=TrustPolicy(True)) == "canary"


@needs_root
def test_a_group_writable_file_is_trusted_only_for_a_private_group(tmp_path: Path) -> None:
    path = canary.plant(tmp_path / "x.pkl", uid=None)
    os.chmod(path, 0o664)
    os.chown(path, -1, 54321)  # a group that is not mine
    with pytest.raises(UntrustedFileError, match="group 54321"):
        Target(str(path)).load(trust=TrustPolicy(True))
    os.chown(path, -1, os.getegid())
    members = grp.getgrgid(os.getegid()).gr_mem
    if not [member for member in members if member != pwd.getpwuid(os.geteuid()).pw_name]:
        assert Target(str(path)).load(trust=TrustPolicy(True)) == "canary"


def test_a_remote_key_that_climbs_out_of_a_trusted_prefix_is_refused() -> None:
    with pytest.raises(UntrustedFileError):
        check_trusted("s3://shared/ws/../evil/model.pkl", ["s3://shared/ws"])
    with pytest.raises(UntrustedFileError):
        check_trusted("gs://shared/ws/model.pkl", ["s3://shared/ws"])
    check_trusted("S3://shared/ws/a/b.pkl", ["s3://shared/ws/"])


def test_the_configured_policy_reads_the_task_section_then_task_on_kart(tmp_path: Path) -> None:
    assert configured_policy() == TrustPolicy()
    config = luigi.configuration.get_config()
    config.set("TaskOnKart", "refuse_foreign_pickles", "true")
    config.set("TaskOnKart", "trusted_pickle_locations", '["s3://team/ws"]')
    assert configured_policy() == TrustPolicy(True, ("s3://team/ws",))
    config.set("pkg.Task", "refuse_foreign_pickles", "false")
    assert configured_policy("pkg.Task") == TrustPolicy(False, ("s3://team/ws",))
    assert configured_policy("pkg.Other") == TrustPolicy(True, ("s3://team/ws",))


def test_formats_that_run_code_on_load_include_the_zips() -> None:
    from kartcore.io.zip_targets import FrameChunksFormat, ModelArchiveFormat

    assert FrameChunksFormat.runs_code_on_load and ModelArchiveFormat.runs_code_on_load
