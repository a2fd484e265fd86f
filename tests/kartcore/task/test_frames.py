"""TaskOnKart's zip targets and pandas helpers, through real builds."""

from __future__ import annotations

import zipfile
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import (
    BuildError,
    EmptyDumpError,
    FormatError,
    MissingColumnsError,
    PandasTypeError,
    TaskDefinitionError,
)
from tests.conftest import files_under, load_json, no_temp_files, save_json

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def save_model(model: dict, path: str) -> None:
    save_json(model, path)
    if model["value"] == "bad":
        raise RuntimeError("cannot serialise the model")


class TrainModel(kartcore.TaskOnKart[dict]):
    value = luigi.Parameter(default="good", significant=False)

    def output(self):
        return self.make_model_target("model/trained.zip", save_model, load_json)

    def run(self) -> None:
        self.dump({"value": self.value})


class UseModel(kartcore.TaskOnKart[str]):
    model = kartcore.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("model")["value"])


def the_frame(rows: int = 1500) -> object:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {"x": rng.random(rows), "label": [f"r{i}" for i in range(rows)]}, index=rng.permutation(rows) + 1000
    )


class BigFrame(kartcore.TaskOnKart):
    rows = luigi.IntParameter(default=1500, significant=False)

    def output(self):
        return self.make_large_data_frame_target(max_byte=2_000)

    def run(self) -> None:
        self.dump(the_frame(self.rows))


# ----- make_model_target ----------------------------------------------------------------------


def test_model_target_round_trip_through_a_downstream_task(workspace: Path) -> None:
    assert kartcore.build(UseModel(model=TrainModel())) == "good"
    zip_path = Path(TrainModel().output().path()).resolve()
    assert zip_path.parent == workspace / "model"
    assert zip_path.name == f"trained_{TrainModel().make_unique_id()}.zip"
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == ["model.pkl"]
    assert list((workspace / "tmp").iterdir()) == []  # scratch dirs removed after dump and load


def test_failing_save_function_fails_the_task_and_keeps_the_previous_zip(workspace: Path) -> None:
    kartcore.build(TrainModel())
    zip_path = Path(TrainModel().output().path())
    before = zip_path.read_bytes()
    with pytest.raises(BuildError) as info:
        kartcore.build(TrainModel(value="bad", rerun=True))
    assert isinstance(info.value.exception, FormatError)
    assert "cannot serialise the model" in str(info.value.exception)
    assert zip_path.read_bytes() == before
    assert no_temp_files(workspace)
    assert list((workspace / "tmp").iterdir()) == []


def test_rerun_replaces_the_zip(workspace: Path) -> None:
    kartcore.build(TrainModel())
    assert kartcore.build(TrainModel(value="second", rerun=True)) == {"value": "second"}
    assert files_under(workspace / "model") == [Path(TrainModel().output().path()).name]


def test_remove_deletes_the_zip() -> None:
    kartcore.build(TrainModel())
    TrainModel().output().remove()
    assert not TrainModel().output().exists()
    assert not TrainModel().complete()


def test_truncated_model_zip_fails_the_reader_naming_the_file_and_rerun(workspace: Path) -> None:
    kartcore.build(TrainModel())
    zip_path = Path(TrainModel().output().path())
    zip_path.write_bytes(zip_path.read_bytes()[:40])
    with pytest.raises(BuildError) as info:
        kartcore.build(UseModel(model=TrainModel()))
    message = str(info.value.exception)
    assert str(zip_path) in message or zip_path.name in message
    assert "rerun=True" in message
    assert "TrainModel[" in message


def test_model_path_must_end_in_zip_and_the_error_names_the_task() -> None:
    task = TrainModel()
    with pytest.raises(TaskDefinitionError, match=r"TrainModel\[\w+\]: .*must end in \.zip; got 'model/x\.pkl'"):
        task.make_model_target("model/x.pkl", save_model, load_json)


def test_model_target_without_unique_id(workspace: Path) -> None:
    target = TrainModel().make_model_target("fixed/model.zip", save_model, load_json, use_unique_id=False)
    assert Path(target.path()).resolve() == workspace / "fixed" / "model.zip"


# ----- make_large_data_frame_target -------------------------------------------------------------


def test_large_frame_comes_back_in_the_original_order(workspace: Path) -> None:
    loaded = kartcore.build(BigFrame())
    pd.testing.assert_frame_equal(loaded, the_frame())
    path = Path(BigFrame().output().path()).resolve()
    assert path.relative_to(workspace).as_posix() == (
        f"tests/kartcore/task/test_frames/BigFrame_{BigFrame().make_unique_id()}.zip"
    )
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) > 10


def test_large_frame_of_zero_rows(workspace: Path) -> None:
    loaded = kartcore.build(BigFrame(rows=0))
    pd.testing.assert_frame_equal(loaded, the_frame(0))


def test_fail_on_empty_dump_covers_large_frames(workspace: Path) -> None:
    with pytest.raises(BuildError) as info:
        kartcore.build(BigFrame(rows=0, fail_on_empty_dump=True))
    assert isinstance(info.value.exception, EmptyDumpError)
    assert "fail_on_empty_dump" in str(info.value.exception)
    assert not Path(BigFrame().output().path()).exists()
    assert no_temp_files(workspace)


def test_large_frame_target_refuses_other_extensions() -> None:
    with pytest.raises(TaskDefinitionError, match=r"BigFrame\[\w+\]: make_large_data_frame_target"):
        BigFrame().make_large_data_frame_target("frame.pkl")


# ----- load_data_frame ------------------------------------------------------------------------


class MakeFrame(kartcore.TaskOnKart):
    columns = luigi.ListParameter(default=["a", "b"])
    rows = luigi.IntParameter(default=2)
    start = luigi.IntParameter(default=0)

    def run(self) -> None:
        values = {name: list(range(self.start, self.start + self.rows)) for name in self.columns}
        self.dump(pd.DataFrame(values, index=[f"{self.start}-{i}" for i in range(self.rows)]))


class Combine(kartcore.TaskOnKart):
    parts = kartcore.ListTaskInstanceParameter()
    required = luigi.ListParameter(default=["a"])
    drop = luigi.BoolParameter(default=False)

    def run(self) -> None:
        self.dump(self.load_data_frame("parts", required_columns=list(self.required), drop_columns=self.drop))


def test_list_inputs_are_concatenated_in_order() -> None:
    result = kartcore.build(Combine(parts=[MakeFrame(start=0), MakeFrame(start=10, rows=1)]))
    assert result.index.tolist() == ["0-0", "0-1", "10-0"]
    assert result["a"].tolist() == [0, 1, 10]
    assert result.columns.tolist() == ["a", "b"]


def test_drop_columns_keeps_only_the_required_ones() -> None:
    result = kartcore.build(Combine(parts=[MakeFrame(columns=["a", "b", "c"])], required=["c", "a"], drop=True))
    assert result.columns.tolist() == ["c", "a"]


def test_missing_required_columns_name_the_columns_the_task_and_the_file() -> None:
    part = MakeFrame(columns=["a"])
    task = Combine(parts=[part], required=["a", "price", "name"])
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    error = info.value.exception
    assert isinstance(error, MissingColumnsError)
    message = str(error)
    assert "['price', 'name']" in message
    assert task.label() in message
    assert part.output().path() in message


def test_empty_input_gives_an_empty_frame_with_the_required_columns() -> None:
    result = kartcore.build(Combine(parts=[MakeFrame(columns=["a"], rows=0)], required=["a", "z"]))
    assert len(result) == 0
    assert result.columns.tolist() == ["a", "z"]


def test_load_data_frame_of_all_inputs_and_of_one_task() -> None:
    class Pair(kartcore.TaskOnKart):
        def requires(self):
            return {"left": MakeFrame(start=0, rows=1), "right": MakeFrame(start=5, rows=1)}

        def run(self) -> None:
            self.dump(
                {
                    "all": self.load_data_frame(required_columns={"a"}),
                    "right": self.load_data_frame("right"),
                    "task": self.load_data_frame(MakeFrame(start=0, rows=1), ["b"], drop_columns=True),
                }
            )

    result = kartcore.build(Pair())
    assert result["all"]["a"].tolist() == [0, 5]
    assert result["right"]["a"].tolist() == [5]
    assert result["task"].columns.tolist() == ["b"]


# ----- PandasTypeConfig, checked at dump ----------------------------------------------------------


class ShopTypes(kartcore.PandasTypeConfig):
    task_namespace = "kart_test_frames_shop"

    @classmethod
    def type_dict(cls) -> dict:
        return {"price": float, "name": str}


class ShopReport(kartcore.TaskOnKart):
    task_namespace = "kart_test_frames_shop"
    bad_row = luigi.IntParameter(default=-1, significant=False)

    def run(self) -> None:
        names: list = ["apple", "pear", "fig"]
        if self.bad_row >= 0:
            names[self.bad_row] = 42
        self.dump(pd.DataFrame({"price": [1.0, 2.5, 3.0], "name": names}, index=["x", "y", "z"]))


class OtherReport(ShopReport):
    task_namespace = "kart_test_frames_elsewhere"


def test_frames_of_the_namespace_that_match_the_config_are_written() -> None:
    assert kartcore.build(ShopReport())["name"].tolist() == ["apple", "pear", "fig"]


def test_a_type_mismatch_names_task_column_type_and_value_and_writes_nothing(workspace: Path) -> None:
    task = ShopReport(bad_row=1)
    with pytest.raises(BuildError) as info:
        kartcore.build(task)
    error = info.value.exception
    assert isinstance(error, PandasTypeError)
    message = str(error)
    assert task.label() in message
    assert "column 'name' must hold str values" in message
    assert "ShopTypes" in message
    assert "row 1 (index 'y') holds 42 of type int" in message
    assert not Path(task.output().path()).exists()
    assert no_temp_files(workspace)


def test_tasks_of_other_namespaces_are_not_checked() -> None:
    assert kartcore.build(OtherReport(bad_row=0))["name"].tolist() == [42, "pear", "fig"]


def test_check_pandas_types_ignores_non_frames() -> None:
    ShopReport().check_pandas_types({"name": 42})
