"""kartcore.testing: frame comparison regardless of order, and running a task on empty inputs."""

from __future__ import annotations

from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.errors import EmptyDumpError
from kartcore.testing import assert_frame_contents_equal, run_with_empty_inputs

pd = pytest.importorskip("pandas")


# ----- assert_frame_contents_equal ------------------------------------------------------------


def sample() -> object:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}, index=[10, 20, 30])


def test_reachable_as_gokart_testing() -> None:
    import kartcore as gokart

    assert gokart.testing.assert_frame_contents_equal is assert_frame_contents_equal


def test_row_and_column_order_are_ignored() -> None:
    expected = sample()
    assert_frame_contents_equal(expected.loc[[30, 10, 20], ["b", "a"]], expected)


def test_different_values_fail() -> None:
    actual = sample()
    actual.loc[20, "a"] = 99
    with pytest.raises(AssertionError):
        assert_frame_contents_equal(actual, sample())


def test_different_labels_fail_naming_them() -> None:
    with pytest.raises(AssertionError, match=r"index labels differ: actual has \[40\] extra, lacks \[10\]"):
        assert_frame_contents_equal(sample().rename(index={10: 40}), sample())
    with pytest.raises(AssertionError, match=r"columns labels differ: actual has \[\] extra, lacks \['b'\]"):
        assert_frame_contents_equal(sample()[["a"]], sample())


@pytest.mark.parametrize("axis", ["index", "columns"])
def test_duplicate_labels_fail(axis: str) -> None:
    labels = {"index": [0, 1], "columns": ["a", "b"]}
    labels[axis] = labels[axis][:1] * 2
    frame = pd.DataFrame([[1, 2], [3, 4]], **labels)
    with pytest.raises(AssertionError, match=f"duplicate {axis} labels"):
        assert_frame_contents_equal(frame, frame)


def test_keyword_arguments_go_to_pandas() -> None:
    expected = sample()
    actual = expected.astype({"a": "float64"})
    with pytest.raises(AssertionError):
        assert_frame_contents_equal(actual, expected)
    assert_frame_contents_equal(actual, expected, check_dtype=False)


def test_non_frames_fail() -> None:
    with pytest.raises(AssertionError, match=r"actual is a builtins\.dict"):
        assert_frame_contents_equal({"a": [1]}, sample())


# ----- run_with_empty_inputs ------------------------------------------------------------------


class Sales(kartcore.TaskOnKart):
    def run(self) -> None:
        self.dump(pd.DataFrame({"shop": ["a", "b"], "amount": [3.0, 4.0]}))


class Prices(kartcore.TaskOnKart):
    def run(self) -> None:
        self.dump(pd.DataFrame({"shop": ["a"], "factor": [2.0]}))


class Revenue(kartcore.TaskOnKart):
    """Copes with empty data: groupby on an empty frame is an empty frame."""

    sales = kartcore.TaskInstanceParameter()

    def run(self) -> None:
        sales = self.load_data_frame("sales", required_columns=["shop", "amount"])
        self.dump(sales.groupby("shop", as_index=False)["amount"].sum())


class TopShop(kartcore.TaskOnKart):
    """Does not cope: the first row of an empty frame does not exist."""

    sales = kartcore.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("sales").sort_values("amount").iloc[0]["shop"])


class Adjusted(kartcore.TaskOnKart):
    sales = kartcore.TaskInstanceParameter()
    prices = kartcore.TaskInstanceParameter()

    def output(self):
        return {"frame": self.make_target("adjusted/frame.pkl"), "count": self.make_target("adjusted/count.txt")}

    def run(self) -> None:
        merged = self.load("sales").merge(self.load("prices"), on="shop")
        merged["adjusted"] = merged["amount"] * merged["factor"]
        self.dump(merged, "frame")
        self.dump([str(len(merged))], "count")


def test_a_task_that_copes_returns_its_empty_result_and_leaves_the_workspace_alone(workspace: Path) -> None:
    result = run_with_empty_inputs(Revenue(sales=Sales()))
    assert result.empty
    assert result.columns.tolist() == ["shop", "amount"]
    assert not workspace.exists()


def test_a_task_that_does_not_cope_fails_naming_it_with_the_cause() -> None:
    task = TopShop(sales=Sales())
    with pytest.raises(AssertionError, match=r"TopShop\[\w+\]\.run\(\) fails on empty inputs: IndexError") as info:
        run_with_empty_inputs(task, columns=["shop", "amount"])
    assert isinstance(info.value.__cause__, IndexError)


def test_columns_per_input_and_dict_outputs() -> None:
    task = Adjusted(sales=Sales(), prices=Prices())
    result = run_with_empty_inputs(task, columns={"sales": ["shop", "amount"], "Prices": ["shop", "factor"]})
    assert result["count"] == ["0"]
    assert result["frame"].columns.tolist() == ["shop", "amount", "factor", "adjusted"]
    assert result["frame"].empty


def test_without_columns_a_task_that_needs_them_fails() -> None:
    with pytest.raises(AssertionError, match="KeyError"):
        run_with_empty_inputs(Adjusted(sales=Sales(), prices=Prices()))


def test_inputs_can_be_given_real_objects() -> None:
    prices = pd.DataFrame({"shop": ["a"], "factor": [2.0]})
    result = run_with_empty_inputs(
        Adjusted(sales=Sales(), prices=Prices()), columns=["shop", "amount"], inputs={"prices": prices}
    )
    assert result["frame"].columns.tolist() == ["shop", "amount", "factor", "adjusted"]


def test_dump_checks_run_for_real() -> None:
    with pytest.raises(AssertionError, match="fail_on_empty_dump") as info:
        run_with_empty_inputs(Revenue(sales=Sales(), fail_on_empty_dump=True))
    assert isinstance(info.value.__cause__, EmptyDumpError)


def test_a_run_that_dumps_nothing_fails() -> None:
    class Lazy(kartcore.TaskOnKart):
        sales = kartcore.TaskInstanceParameter()

        def run(self) -> None:
            if not self.load("sales").empty:
                self.dump("done")

    with pytest.raises(AssertionError, match=r"Lazy\[\w+\]\.run\(\) .*empty inputs.* without dumping .*Lazy_\w+\.pkl"):
        run_with_empty_inputs(Lazy(sales=Sales()))


def test_endpoints_are_refused() -> None:
    class Gather(kartcore.TaskOnKart):
        sales = kartcore.TaskInstanceParameter()

    with pytest.raises(ValueError, match="no run"):
        run_with_empty_inputs(Gather(sales=Sales()))


def test_the_task_itself_is_not_changed() -> None:
    task = Revenue(sales=Sales())
    run_with_empty_inputs(task)
    assert "_load_target" not in vars(task)
    assert task.workspace_directory == "./resources/"
    assert kartcore.build(task)["amount"].tolist() == [3.0, 4.0]


def test_a_task_without_inputs_runs_as_is() -> None:
    class Constant(kartcore.TaskOnKart):
        value = luigi.IntParameter(default=3)

        def run(self) -> None:
            self.dump(pd.DataFrame({"v": [self.value]}))

    assert run_with_empty_inputs(Constant())["v"].tolist() == [3]


def test_dynamic_dependencies_are_refused() -> None:
    class Dynamic(kartcore.TaskOnKart):
        def run(self):
            yield Sales()

    with pytest.raises(AssertionError, match="dynamic dependencies"):
        run_with_empty_inputs(Dynamic())
