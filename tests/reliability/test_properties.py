"""Property tests over awkward parameter values: unicode, empty, huge, path separators, dots.

* the unique id is a pure function of the values: the same in a fresh process;
* output paths built from a value stay inside the workspace (or are refused with UnsafePathError);
* every value round-trips through the task_params record (``TaskOnKart.restore``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import luigi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kartcore
from kartcore.errors import UnsafePathError, UnsupportedFormatError
from kartcore.task import records

REPO = Path(__file__).resolve().parents[2]
AWKWARD = st.sampled_from(["", ".", "..", "/", "\\", "../", "..\\", "a/../..", "./x", "~", "\x00", "C:\\x", "s3://b/k"])
VALUES = st.one_of(
    AWKWARD,
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from("./\\ab\u00e9\u6f22\U0001f600"), max_size=30),
    st.lists(AWKWARD | st.text(max_size=5), max_size=6).map("".join),
    st.integers(min_value=10_000, max_value=100_000).map(lambda n: "\u00e9" * n),
)
EXAMPLES = {"count": 0}


class Valued(kartcore.TaskOnKart[str]):
    value = luigi.Parameter()

    def output(self) -> kartcore.Target:
        return self.make_target(f"by_value/{self.value}.pkl")


def ids_in_subprocess(values: list[str]) -> list[str]:
    code = (
        "import json, sys\n"
        "from tests.reliability.test_properties import Valued\n"
        "print(json.dumps([Valued(value=v).make_unique_id() for v in json.load(sys.stdin)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(values), cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(VALUES, min_size=1, max_size=25))
def test_unique_ids_are_the_same_in_another_process(values: list[str]) -> None:
    here = [Valued(value=v).make_unique_id() for v in values]
    assert ids_in_subprocess(values) == here
    assert len(set(here)) == len(set(values))
    EXAMPLES["count"] += len(values)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_output_paths_stay_inside_the_workspace(value: str) -> None:
    workspace = os.path.abspath("resources")
    task = Valued(value=value)
    assert Valued(value=value).make_unique_id() == task.make_unique_id()
    try:
        path = task.output().path()
    except (UnsafePathError, UnsupportedFormatError):
        # Refused with a clear error: a path out of the workspace, or a name such as 'by_value/.pkl',
        # which os.path.splitext (like gokart) reads as a hidden file without an extension.
        return
    resolved = os.path.normpath(os.path.abspath(path))
    assert os.path.commonpath([workspace, resolved]) == workspace, (value, path)
    assert os.path.basename(path).endswith(f"_{task.make_unique_id()}.pkl")
    EXAMPLES["count"] += 1


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_values_round_trip_through_the_task_params_record(value: str) -> None:
    task = Valued(value=value)
    records.record_target(task, records.TASK_PARAMS).dump(task.to_str_params(only_significant=True))
    restored = Valued.restore(task.make_unique_id())
    assert restored.value == value
    assert restored.make_unique_id() == task.make_unique_id()
    EXAMPLES["count"] += 1


def test_report_examples() -> None:
    print(f"\nhypothesis parameter values checked: {EXAMPLES['count']}")
