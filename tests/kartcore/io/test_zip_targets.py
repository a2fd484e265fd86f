"""Zip targets on their own: model archives and chunked frames, atomic writes, damaged files."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kartcore.errors import FormatError, TaskDefinitionError
from kartcore.io.trust import private_directory
from kartcore.io.zip_targets import (
    FrameChunksFormat,
    chunk_names,
    large_frame_target,
    model_target,
    split_rows,
)
from tests.conftest import load_json, no_temp_files, save_json

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def save_with_extra_file(obj: dict, path: str) -> None:
    save_json(obj, path)
    os.makedirs(os.path.join(os.path.dirname(path), "weights"))
    Path(os.path.dirname(path), "weights", "layer.bin").write_bytes(bytes(obj["weights"]))


def load_with_extra_file(path: str) -> dict:
    model = load_json(path)
    model["weights"] = list(Path(os.path.dirname(path), "weights", "layer.bin").read_bytes())
    return model


def shuffled_frame(rows: int = 2000) -> object:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "int": np.arange(rows, dtype="int64"),
            "float": rng.random(rows),
            "text": [f"row-{i}" for i in range(rows)],
            "category": pd.Categorical(rng.choice(["a", "b", "c"], rows)),
            "when": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "nullable": pd.array([None if i % 5 == 0 else i for i in range(rows)], dtype="Int64"),
        },
        index=pd.Index(rng.permutation(rows) * 3, name="id"),
    )


# ----- model archives -------------------------------------------------------------------------


def test_model_round_trip_keeps_every_file_and_removes_scratch_dirs(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    target = model_target(str(tmp_path / "model.zip"), save_with_extra_file, load_with_extra_file, str(scratch))
    model = {"name": "m", "weights": [1, 2, 3]}
    target.dump(model)
    with zipfile.ZipFile(target.path()) as archive:
        assert sorted(archive.namelist()) == ["model.pkl", "weights/layer.bin"]
    assert target.load() == model
    assert list(scratch.iterdir()) == []
    assert no_temp_files(tmp_path)


def test_failing_save_function_leaves_the_previous_zip_and_nothing_else(tmp_path: Path) -> None:
    def save(obj: object, path: str) -> None:
        save_json(obj, path)
        if obj == "bad":
            raise RuntimeError("disk full")

    scratch = tmp_path / "scratch"
    target = model_target(str(tmp_path / "model.zip"), save, load_json, str(scratch))
    target.dump("good")
    before = Path(target.path()).read_bytes()
    with pytest.raises(FormatError, match="disk full") as info:
        target.dump("bad")
    assert target.path() in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert Path(target.path()).read_bytes() == before
    assert target.load() == "good"
    assert list(scratch.iterdir()) == []
    assert no_temp_files(tmp_path)


def test_save_function_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    target = model_target(str(tmp_path / "model.zip"), lambda obj, path: None, load_json, str(tmp_path / "s"))
    with pytest.raises(FormatError, match="save_function wrote no file"):
        target.dump({"a": 1})
    assert not Path(target.path()).exists()


def test_truncated_zip_names_the_file_and_says_how_to_rerun(tmp_path: Path) -> None:
    target = model_target(str(tmp_path / "model.zip"), save_json, load_json, str(tmp_path / "s"))
    target.dump({"payload": "x" * 5000})
    data = Path(target.path()).read_bytes()
    Path(target.path()).write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError) as info:
        target.load()
    message = str(info.value)
    assert target.path() in message
    assert "rerun=True" in message
    assert list((tmp_path / "s").iterdir()) == []


def test_corrupt_member_is_reported_as_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "frame.zip"
    target = large_frame_target(str(path), max_byte=10_000)
    target.dump(shuffled_frame(500))
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)  # inside the first member's compressed data
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError) as info:
        target.load()
    assert str(path) in str(info.value)
    assert "rerun=True" in str(info.value)


def test_failing_load_function_names_the_zip_and_blames_the_function(tmp_path: Path) -> None:
    def broken_load(path: str) -> object:
        raise KeyError("missing layer")

    target = model_target(str(tmp_path / "model.zip"), save_json, broken_load, str(tmp_path / "s"))
    target.dump({"a": 1})
    with pytest.raises(FormatError) as info:
        target.load()
    message = str(info.value)
    assert target.path() in message
    assert "broken_load" in message
    assert "missing layer" in message
    assert isinstance(info.value.__cause__, KeyError)
    assert list((tmp_path / "s").iterdir()) == []


def test_remove_really_deletes_the_zip(tmp_path: Path) -> None:
    target = model_target(str(tmp_path / "model.zip"), save_json, load_json, str(tmp_path / "s"))
    target.dump([1])
    target.remove()
    assert not target.exists()


@pytest.mark.parametrize("path", ["model.pkl", "model", "model.zip.bak"])
def test_path_must_end_in_zip(tmp_path: Path, path: str) -> None:
    with pytest.raises(TaskDefinitionError, match=r"must end in \.zip"):
        model_target(str(tmp_path / path), save_json, load_json, str(tmp_path))


def test_functions_must_be_callable(tmp_path: Path) -> None:
    with pytest.raises(TaskDefinitionError, match="load_function must be callable"):
        model_target(str(tmp_path / "m.zip"), save_json, "load_json", str(tmp_path))  # type: ignore[arg-type]


# ----- large frames ---------------------------------------------------------------------------


def test_many_chunks_come_back_in_the_original_order_with_index_and_dtypes(tmp_path: Path) -> None:
    frame = shuffled_frame()
    target = large_frame_target(str(tmp_path / "frame.zip"), max_byte=5_000)
    target.dump(frame)
    with zipfile.ZipFile(target.path()) as archive:
        assert len(archive.namelist()) > 20  # more than one digit, so name order != number order
    loaded = target.load()
    pd.testing.assert_frame_equal(loaded, frame)
    assert no_temp_files(tmp_path)


def test_chunks_written_in_a_scrambled_member_order_are_read_by_number(tmp_path: Path) -> None:
    """A gokart-written zip: data_<i>.pkl written with to_pickle, a load_function.pkl, any member order."""
    frame = shuffled_frame(120)
    parts = [frame.iloc[i * 10 : (i + 1) * 10] for i in range(12)]
    path = tmp_path / "gokart.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("load_function.pkl", b"not read")
        for number in [3, 11, 0, 7, 1, 10, 2, 9, 4, 8, 5, 6]:
            buffer = io.BytesIO()
            parts[number].to_pickle(buffer, compression=None)
            archive.writestr(f"data_{number}.pkl", buffer.getvalue())
    pd.testing.assert_frame_equal(large_frame_target(str(path)).load(), frame)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(lambda: pd.DataFrame(), id="no columns"),
        pytest.param(
            lambda: pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="str")}), id="typed"
        ),
        pytest.param(lambda: shuffled_frame().iloc[:0], id="sliced"),
    ],
)
def test_empty_frames_round_trip(tmp_path: Path, frame: object) -> None:
    empty = frame()  # type: ignore[operator]
    target = large_frame_target(str(tmp_path / "empty.zip"), max_byte=1)
    target.dump(empty)
    with zipfile.ZipFile(target.path()) as archive:
        assert archive.namelist() == ["data_0.pkl"]
    pd.testing.assert_frame_equal(target.load(), empty)


def test_duplicate_index_and_column_index_name_survive(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(300)}, index=[i % 7 for i in range(300)])
    frame.columns.name = "features"
    target = large_frame_target(str(tmp_path / "dup.zip"), max_byte=500)
    target.dump(frame)
    pd.testing.assert_frame_equal(target.load(), frame)


def test_a_non_frame_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    target = large_frame_target(str(tmp_path / "frame.zip"))
    with pytest.raises(FormatError, match="expects a pandas DataFrame"):
        target.dump({"a": [1]})
    assert not target.exists()
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("max_byte", [0, -1, 1.5, True, "64"])
def test_max_byte_must_be_a_positive_int(max_byte: object) -> None:
    with pytest.raises(TaskDefinitionError, match="max_byte"):
        FrameChunksFormat(max_byte)  # type: ignore[arg-type]


def test_split_rows_covers_every_row_once_in_order() -> None:
    frame = pd.DataFrame({"a": range(10)})
    chunks = split_rows(frame, max_byte=1)
    assert len(chunks) == 10
    assert pd.concat(chunks)["a"].tolist() == list(range(10))
    assert len(split_rows(frame, max_byte=2**30)) == 1


def test_chunk_names_sorts_by_number_and_refuses_gaps() -> None:
    names = [f"data_{i}.pkl" for i in (10, 2, 0, 1, 9, 3, 8, 4, 7, 5, 6)] + ["load_function.pkl"]
    assert chunk_names(names) == [f"data_{i}.pkl" for i in range(11)]
    with pytest.raises(FormatError, match="not numbered"):
        chunk_names(["data_0.pkl", "data_2.pkl"])
    with pytest.raises(FormatError, match=r"no data_<i>\.pkl"):
        chunk_names(["model.pkl"])


def test_a_model_zip_is_not_read_as_a_large_frame(tmp_path: Path) -> None:
    path = str(tmp_path / "model.zip")
    model_target(path, lambda obj, p: Path(p).write_bytes(pickle.dumps(obj)), load_json, str(tmp_path / "s")).dump(1)
    with pytest.raises(FormatError) as info:
        large_frame_target(path).load()
    assert path in str(info.value)
    assert "no data_<i>.pkl" in str(info.value)


def test_a_model_target_loads_no_frame_library(tmp_path: Path) -> None:
    code = f"""
import json, sys
import kartcore

class Train(kartcore.TaskOnKart):
    def output(self):
        return self.make_model_target("m.zip", lambda obj, path: json.dump(obj, open(path, "w")),
                                      lambda path: json.load(open(path)))

task = Train(workspace_directory={str(tmp_path)!r}, local_temporary_directory={str(tmp_path / "tmp")!r})
task.output().dump({{"a": 1}})
assert task.output().load() == {{"a": 1}}
print(sorted(name for name in ("pandas", "numpy", "pyarrow") if name in sys.modules))
"""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("mode", "owner", "private"),
    [(0o755, None, True), (0o1777, None, True), (0o777, None, False), (0o755, 12345, False)],
)
def test_model_files_go_through_a_directory_no_one_else_can_swap(
    tmp_path: Path, mode: int, owner: int | None, private: bool
) -> None:
    """In a shared workspace's tmp/, someone else could swap the extracted model.pkl before load_function reads it."""
    shared = tmp_path / "workspace"
    shared.mkdir()
    os.chmod(shared, mode)
    if owner is not None:
        if os.getuid() != 0:
            pytest.skip("changing a directory's owner needs root")
        os.chown(shared, owner, -1)
    seen: list[str] = []

    def load(path: str) -> object:
        seen.append(path)
        return load_json(path)

    target = model_target(str(tmp_path / "model.zip"), save_json, load, str(shared / "tmp"))
    target.dump({"w": 1})
    assert target.load() == {"w": 1}
    assert Path(seen[0]).is_relative_to(shared) == private == private_directory(str(shared / "tmp")), seen[0]
