"""The storage module: which paths go to fsspec, how paths are joined, and errors (no server needed).

Remote behaviour that needs no network runs on fsspec's in-memory file system (``memory://``);
tests/kartcore/io/test_target_s3.py runs the same against a real S3-compatible server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kartcore.errors import OutputNotFoundError, StorageError
from kartcore.io import make_target
from kartcore.io.storage import LOCAL, RemoteStorage, is_remote, join, protocol_of, storage_for
from kartcore.task.naming import log_path, output_path


@pytest.mark.parametrize(
    ("path", "protocol"),
    [("s3://b/k.pkl", "s3"), ("GS://b/k", "gs"), ("memory://x", "memory"), ("./resources/x.pkl", None), ("x", None)],
)
def test_protocol_of(path: str, protocol: str | None) -> None:
    assert protocol_of(path) == protocol


def test_local_and_file_urls_stay_local() -> None:
    assert storage_for("./resources/x.pkl") is LOCAL
    assert storage_for("/abs/x.pkl") is LOCAL
    assert not is_remote("file:///tmp/x.pkl")
    assert is_remote("s3://bucket/x.pkl") and isinstance(storage_for("s3://bucket/x.pkl"), RemoteStorage)
    assert storage_for("s3://a/x") is storage_for("s3://b/y")  # one storage per protocol


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("s3://bucket/prefix", "s3://bucket/prefix/a/b.pkl"),
        ("s3://bucket/prefix/", "s3://bucket/prefix/a/b.pkl"),
        ("s3://bucket", "s3://bucket/a/b.pkl"),
        ("gs://bucket/p//", "gs://bucket/p/a/b.pkl"),
    ],
)
def test_join_remote_uses_slashes(base: str, expected: str) -> None:
    assert join(base, "a/b.pkl") == expected


def test_join_local_is_os_path_join() -> None:
    assert join("./resources/", "a/b.pkl") == os.path.join("./resources/", "a/b.pkl")


def test_output_and_log_paths_under_an_object_store() -> None:
    assert output_path("s3://bucket/prefix", "a/b.pkl", None) == "s3://bucket/prefix/a/b.pkl"
    assert output_path("s3://bucket/prefix/", "a/b.pkl", "123") == "s3://bucket/prefix/a/b_123.pkl"
    assert log_path("gs://bucket/prefix", "task_log", "Task", "123", ".pkl") == (
        "gs://bucket/prefix/log/task_log/Task_123.pkl"
    )


def test_file_url_target_writes_atomically_to_the_local_path(tmp_path: Path) -> None:
    target = make_target(f"file://{tmp_path}/sub/out.pkl")
    assert not target.exists()
    target.dump([1, 2])
    assert (tmp_path / "sub" / "out.pkl").is_file() and target.load() == [1, 2]
    assert sorted(os.listdir(tmp_path / "sub")) == ["out.pkl"]
    target.remove()
    assert not target.exists()


def test_memory_target_round_trip_stage_and_remove() -> None:
    target = make_target("memory://kart-test/prefix/out.pkl")
    target.remove()
    assert not target.exists()
    staged = target.stage({"a": 1})
    assert os.path.exists(staged) and not target.exists()
    target.commit(staged)
    assert target.exists() and target.load() == {"a": 1} and not os.path.exists(staged)
    assert target.last_modification_time().year >= 2000
    target.remove()
    assert not target.exists()
    with pytest.raises(OutputNotFoundError):
        target.load()


def test_unknown_protocol_and_missing_package_are_storage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StorageError) as info:
        make_target("nosuchprotocol://bucket/x.pkl").exists()
    assert "nosuchprotocol://bucket/x.pkl" in str(info.value)
    import fsspec.core

    def missing_package(path: str, **options: object) -> None:
        raise ImportError("Install s3fs to access S3", name="s3fs")

    monkeypatch.setattr(fsspec.core, "url_to_fs", missing_package)
    with pytest.raises(StorageError) as info:
        make_target("s3://bucket/x.pkl").exists()
    assert "pip install s3fs" in str(info.value)


def test_permission_error_is_not_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.implementations.memory as memory

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    monkeypatch.setattr(memory.MemoryFileSystem, "info", refuse)
    with pytest.raises(StorageError) as info:
        make_target("memory://kart-test/denied.pkl").exists()
    assert "memory://kart-test/denied.pkl" in str(info.value) and "PermissionError" in str(info.value)


def test_transport_errors_are_told_from_bad_bytes() -> None:
    remote = storage_for("s3://bucket/x")
    assert remote.is_transport_error(ConnectionResetError())
    assert not remote.is_transport_error(EOFError("truncated pickle"))
    assert not remote.is_transport_error(ValueError("bad csv"))
    assert not LOCAL.is_transport_error(OSError())


def test_remote_targets_import_fsspec_only_when_used(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import json, sys
        import kartcore
        from kartcore.io import make_target
        target = make_target("memory://kart/x.pkl")
        before = "fsspec" in sys.modules
        target.dump(1)
        print(json.dumps([before, "fsspec" in sys.modules, target.load()]))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == [False, True, 1]


@pytest.mark.parametrize("scheme", ["", "file://", "memory://"])
def test_size_of_a_file_and_of_a_missing_one(tmp_path: Path, scheme: str) -> None:
    base = f"memory://kart-size-{os.getpid()}" if scheme == "memory://" else f"{scheme}{tmp_path}"
    path = f"{base}/seven.pkl"
    target = make_target(path)
    target.dump(b"x" * 100)
    storage = storage_for(path)
    with storage.open_read(path) as file:
        written = len(file.read())
    assert written > 100
    assert storage.size(path) == written
    with pytest.raises(FileNotFoundError):
        storage.size(f"{base}/absent.pkl")
    target.remove()


def test_a_refused_size_is_a_storage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.implementations.memory as memory

    def refuse(self: object, path: str, **kwargs: object) -> None:
        raise PermissionError("Access Denied")

    monkeypatch.setattr(memory.MemoryFileSystem, "size", refuse)
    with pytest.raises(StorageError) as info:
        storage_for("memory://kart-test/x.pkl").size("memory://kart-test/x.pkl")
    assert str(info.value).startswith("cannot read the size of memory://kart-test/x.pkl: PermissionError")
