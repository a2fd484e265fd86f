"""refuse_foreign_pickles: pickles load only from trusted locations or the user's own files."""

from __future__ import annotations

import os
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import UntrustedFileError
from kartcore.io.trust import check_trusted


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
