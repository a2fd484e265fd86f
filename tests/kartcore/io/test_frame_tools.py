"""The pandas work behind load_data_frame and PandasTypeConfig, without tasks."""

from __future__ import annotations

import pytest

from kartcore.errors import KartError, MissingColumnsError, TaskDefinitionError
from kartcore.io.frame_tools import combine_frames, find_type_violation, normalise_columns, type_name

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def frame(**columns: list) -> object:
    return pd.DataFrame(columns)


# ----- combine_frames -------------------------------------------------------------------------


def test_a_single_frame_is_returned_as_is() -> None:
    one = frame(a=[1, 2])
    assert combine_frames([("in.pkl", one)]) is one


def test_frames_are_concatenated_in_order_keeping_the_index() -> None:
    first = pd.DataFrame({"a": [1, 2]}, index=[10, 11])
    second = pd.DataFrame({"a": [3]}, index=[5])
    combined = combine_frames([("1.pkl", first), ("2.pkl", [second])])
    assert combined.index.tolist() == [10, 11, 5]
    assert combined["a"].tolist() == [1, 2, 3]
    assert combined["a"].dtype == "int64"


def test_empty_inputs_do_not_change_the_dtypes_of_the_others() -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype=object)})
    combined = combine_frames([("1.pkl", frame(a=[1])), ("2.pkl", empty)])
    assert combined["a"].dtype == "int64"


def test_missing_required_columns_name_the_columns_the_input_and_the_owner() -> None:
    with pytest.raises(MissingColumnsError) as info:
        combine_frames([("ok.pkl", frame(a=[1], b=[2])), ("bad.pkl", frame(a=[1]))], ["a", "b", "c"], owner="Join[123]")
    message = str(info.value)
    assert message.startswith("Join[123]: ")
    assert "input bad.pkl lacks ['b', 'c']" in message
    assert "input ok.pkl lacks ['c']" in message
    assert "its columns: ['a']" in message
    assert isinstance(info.value, AssertionError) and isinstance(info.value, KartError)


def test_drop_columns_keeps_the_required_ones_in_the_given_order() -> None:
    combined = combine_frames([("in.pkl", frame(a=[1], b=[2], c=[3]))], ["c", "a", "c"], drop_columns=True)
    assert combined.columns.tolist() == ["c", "a"]


def test_drop_columns_without_required_columns_is_a_definition_error() -> None:
    with pytest.raises(TaskDefinitionError, match="needs required_columns"):
        combine_frames([("in.pkl", frame(a=[1]))], None, drop_columns=True)


@pytest.mark.parametrize("sources", [[], [("in.pkl", [])], [("in.pkl", pd.DataFrame({"x": []}))]], ids=str)
def test_empty_input_gives_an_empty_frame_with_the_required_columns(sources: list) -> None:
    combined = combine_frames(sources, ["a", "b"])
    assert combined.empty
    assert {"a", "b"} <= set(combined.columns)


def test_empty_input_with_drop_columns_has_exactly_the_required_columns() -> None:
    combined = combine_frames([("in.pkl", pd.DataFrame({"x": pd.Series([], dtype="int64")}))], {"b", "a"}, True)
    assert combined.columns.tolist() == ["a", "b"]
    assert len(combined) == 0


def test_an_input_that_is_not_a_frame_is_named() -> None:
    with pytest.raises(TaskDefinitionError, match=r"input model\.pkl holds a builtins\.dict"):
        combine_frames([("model.pkl", {"a": 1})], ["a"], owner="T")


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, []), ("a", ["a"]), (["b", "a", "b"], ["b", "a"]), ({"b", "a"}, ["a", "b"]), (("x",), ["x"]), (3, [3])],
)
def test_normalise_columns(given: object, expected: list) -> None:
    assert normalise_columns(given) == expected


# ----- find_type_violation --------------------------------------------------------------------


def test_matching_types_pass() -> None:
    data = pd.DataFrame({"i": [1, 2], "f": [1.0, np.nan], "s": ["a", "b"], "o": [[1], [2]], "b": [True, False]})
    assert find_type_violation(data, {"i": int, "f": float, "s": str, "o": list, "b": bool, "absent": int}) is None


def test_first_bad_value_with_its_row_and_count() -> None:
    data = pd.DataFrame({"s": ["a", 1, "c", None]}, index=["w", "x", "y", "z"])
    violation = find_type_violation(data, {"s": str})
    assert violation is not None
    assert (violation.column, violation.position, violation.label, violation.value) == ("s", 1, "x", 1)
    assert (violation.count, violation.total) == (2, 4)


def test_nan_in_an_int_column_fails_as_in_gokart() -> None:
    violation = find_type_violation(pd.DataFrame({"i": [1, None]}), {"i": int})
    assert violation is not None
    assert violation.count == 2  # the column became float64


def test_duplicate_column_labels_are_each_checked() -> None:
    data = pd.DataFrame([[1, "x"]], columns=["a", "a"])
    violation = find_type_violation(data, {"a": int})
    assert violation is not None
    assert violation.value == "x"


def test_tuple_of_types_and_its_name() -> None:
    assert find_type_violation(pd.DataFrame({"n": [1, 2.5]}, dtype=object), {"n": (int, float)}) is None
    assert type_name((int, float)) == "int or float"
    assert type_name(str) == "str"


def test_empty_frames_pass() -> None:
    assert find_type_violation(pd.DataFrame({"i": pd.Series([], dtype=object)}), {"i": int}) is None
