"""Corrupt cached outputs: a load error that names the file, the task and how to write it again.

Truncated and wrong-format files fail to load on their own. Flipped bytes (same size) may load into
a wrong value; ``verify_outputs`` catches them with the checksum recorded at publish.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import luigi.configuration
import pytest

import kartcore
from kartcore.errors import BuildError, FormatError
from kartcore.task import integrity

PAYLOAD = bytes(range(256)) * 4096  # 1 MB


class Upstream(kartcore.TaskOnKart[bytes]):
    def run(self) -> None:
        self.dump(PAYLOAD)


class Downstream(kartcore.TaskOnKart[str]):
    def requires(self) -> Upstream:
        return Upstream()

    def run(self) -> None:
        self.dump(hashlib.sha256(self.load()).hexdigest())


EXPECTED = hashlib.sha256(PAYLOAD).hexdigest()


def _failure(task: kartcore.TaskOnKart) -> FormatError:
    with pytest.raises(BuildError) as caught:
        kartcore.build(task)
    (failure,) = caught.value.failures
    assert isinstance(failure.exception, FormatError), failure.exception
    return failure.exception


def _assert_names_file_task_and_fix(exc: Exception, path: str) -> None:
    text = str(exc)
    assert path in text
    assert Upstream().label() in text or "Upstream" in text
    assert "rerun=True" in text


def truncate(path: str) -> None:
    size = os.path.getsize(path)
    with open(path, "r+b") as file:
        file.truncate(size // 2)


def wrong_format(path: str) -> None:
    Path(path).write_text(json.dumps({"not": "a pickle"}))


@pytest.mark.parametrize("corrupt", [truncate, wrong_format])
def test_broken_cached_output_names_file_task_and_rerun(corrupt) -> None:
    kartcore.build(Upstream())
    path = Upstream().output().path()
    corrupt(path)
    exc = _failure(Downstream())
    _assert_names_file_task_and_fix(exc, path)
    assert Upstream().label() in str(exc)
    assert "truncated or corrupt" in str(exc)
    # The advertised fix works: rerun the writer, then the downstream task builds.
    kartcore.build(Upstream(rerun=True))
    assert kartcore.build(Downstream()) == EXPECTED


def flip_bytes(path: str) -> None:
    """Silent corruption: same size, a few bytes inverted inside the payload."""
    size = os.path.getsize(path)
    with open(path, "r+b") as file:
        for offset in (size // 3, size // 2, size - 100):
            file.seek(offset)
            byte = file.read(1)
            file.seek(offset)
            file.write(bytes([byte[0] ^ 0xFF]))
    assert os.path.getsize(path) == size


def test_flipped_bytes_load_silently_without_verify_outputs() -> None:
    kartcore.build(Upstream())
    flip_bytes(Upstream().output().path())
    assert kartcore.build(Downstream()) != EXPECTED  # wrong, and nothing noticed


def test_verify_outputs_records_checksums_before_publishing(workspace: Path) -> None:
    kartcore.build(Downstream(verify_outputs=True))
    task = Upstream()  # not verify_outputs: parameters are not inherited, so Upstream kept no record
    assert not integrity.checksum_target(task).exists()
    kartcore.build(Upstream(verify_outputs=True, rerun=True))
    record = integrity.checksum_target(task).load()
    assert record == {task.output().path(): integrity.sha256_of(task.output().path())}
    assert (workspace / "log" / "checksum" / f"Upstream_{task.make_unique_id()}.json").is_file()
    # A publish without verify_outputs drops the record, so it never describes a newer file.
    kartcore.build(Upstream(rerun=True))
    assert not integrity.checksum_target(task).exists()


def test_verify_outputs_detects_flipped_bytes(tmp_path: Path) -> None:
    (tmp_path / "luigi.cfg").write_text("[TaskOnKart]\nverify_outputs = true\n")
    luigi.configuration.LuigiConfigParser._instance = None  # conftest restores the config paths
    luigi.configuration.LuigiConfigParser.add_config_path(str(tmp_path / "luigi.cfg"))
    kartcore.build(Upstream())
    assert Upstream().verify_outputs
    path = Upstream().output().path()
    assert integrity.checksum_target(Upstream()).exists()
    flip_bytes(path)
    exc = _failure(Downstream())
    _assert_names_file_task_and_fix(exc, path)
    assert Upstream().label() in str(exc)
    assert "changed after" in str(exc)
    assert not Downstream().complete()
    print(f"\ncorrupted files detected by verify_outputs: 1 ({exc})")
    kartcore.build(Upstream(rerun=True))
    assert kartcore.build(Downstream()) == EXPECTED
