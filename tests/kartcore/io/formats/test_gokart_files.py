"""Files written by gokart 1.12.2 load in kartcore, and gokart reads what kartcore writes.

gokart runs in one subprocess for the whole module (it imports pandas, dill, ... on import and
must not leak into the test process). It first reads the files kartcore wrote, then writes its
own with its own targets (dill pickles, feather with gokart's index column, ...), and reports
what it read as JSON.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kartcore.io import make_target

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gokart") is None, reason="gokart is not installed")

FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})
INDEXED = FRAME.set_index(pd.Index(["x", "y", "z"], name="key"))

GOKART_SCRIPT = """
import json, sys
import numpy as np
import pandas as pd
from gokart.target import make_target

root = sys.argv[1]
frame = pd.DataFrame({"id": [1, 2, 3], "name": ["ä", "b", "日本"], "score": [0.5, 1.5, -2.0]})
report = {}

# 1. read what kartcore wrote
for name in ("ours_indexed.feather", "ours_plain.feather", "ours_indexed.parquet", "ours.pkl", "ours.csv"):
    loaded = make_target(f"{root}/{name}").load()
    report[name] = {"index": [str(v) for v in loaded.index], "index_name": loaded.index.name,
                    "columns": list(loaded.columns)}
report["ours.npz"] = make_target(f"{root}/ours.npz").load().tolist()
report["ours.txt"] = make_target(f"{root}/ours.txt").load()

# 2. write gokart's own files
class Local:
    def __init__(self):
        self.scale = 3
    def apply(self, x):
        return x * self.scale

make_target(f"{root}/gokart_frame.pkl").dump(frame)
make_target(f"{root}/gokart_dill.pkl").dump({"double": lambda x: x * 2, "local": Local(), "frame": frame})
make_target(f"{root}/gokart_indexed.feather").dump(frame.set_index(pd.Index(["x", "y", "z"], name="key")))
make_target(f"{root}/gokart_unnamed.feather").dump(frame.set_index(pd.Index([10, 20, 30])))
make_target(f"{root}/gokart_plain.feather").dump(frame)
make_target(f"{root}/gokart.parquet").dump(frame)
make_target(f"{root}/gokart.csv").dump(frame)
make_target(f"{root}/gokart.tsv").dump(frame)
make_target(f"{root}/gokart.ndjson").dump(frame)
make_target(f"{root}/gokart.npz").dump(np.arange(4))
make_target(f"{root}/gokart.txt").dump(["a", "ü"])
make_target(f"{root}/gokart.gz").dump(["a", "ü"])
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("gokart_files")
    make_target(str(root / "ours_indexed.feather")).dump(INDEXED)
    make_target(str(root / "ours_plain.feather")).dump(FRAME)
    make_target(str(root / "ours_indexed.parquet")).dump(INDEXED)
    make_target(str(root / "ours.pkl")).dump(INDEXED)
    make_target(str(root / "ours.csv")).dump(FRAME)
    make_target(str(root / "ours.npz")).dump(np.arange(3))
    make_target(str(root / "ours.txt")).dump(["eins", "zwei ü"])
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(GOKART_SCRIPT), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return root, json.loads(completed.stdout.strip().splitlines()[-1])


def test_gokart_reads_kartcore_feather_with_its_index(exchanged: tuple[Path, dict[str, Any]]) -> None:
    _, report = exchanged
    assert report["ours_indexed.feather"] == {"index": ["x", "y", "z"], "index_name": "key", "columns": list(FRAME)}
    assert report["ours_plain.feather"] == {"index": ["0", "1", "2"], "index_name": None, "columns": list(FRAME)}


def test_gokart_reads_kartcore_pickle_parquet_csv_npz_txt(exchanged: tuple[Path, dict[str, Any]]) -> None:
    _, report = exchanged
    assert report["ours.pkl"]["index"] == ["x", "y", "z"] and report["ours.pkl"]["index_name"] == "key"
    assert report["ours_indexed.parquet"]["index_name"] == "key"  # pandas keeps it in the parquet metadata
    assert report["ours.csv"]["columns"] == list(FRAME)
    assert report["ours.npz"] == [0, 1, 2]
    assert report["ours.txt"] == ["eins", "zwei ü"]


def test_gokart_pickles_load_including_dill_functions_and_classes(exchanged: tuple[Path, dict[str, Any]]) -> None:
    root, _ = exchanged
    pd.testing.assert_frame_equal(make_target(str(root / "gokart_frame.pkl")).load(), FRAME)
    loaded = make_target(str(root / "gokart_dill.pkl")).load()
    assert loaded["double"](21) == 42
    assert loaded["local"].apply(2) == 6
    pd.testing.assert_frame_equal(loaded["frame"], FRAME)


def test_gokart_feather_index_column_is_restored(exchanged: tuple[Path, dict[str, Any]]) -> None:
    root, _ = exchanged
    indexed = make_target(str(root / "gokart_indexed.feather")).load()
    pd.testing.assert_frame_equal(indexed, INDEXED)
    unnamed = make_target(str(root / "gokart_unnamed.feather")).load()
    pd.testing.assert_frame_equal(unnamed, FRAME.set_index(pd.Index([10, 20, 30])))
    plain = make_target(str(root / "gokart_plain.feather")).load()
    pd.testing.assert_frame_equal(plain, FRAME, check_index_type=False)
    assert not any(name.startswith("__feather_gokart_index__") for name in plain.columns)


def test_gokart_frames_text_and_arrays_load(exchanged: tuple[Path, dict[str, Any]]) -> None:
    root, _ = exchanged
    for name in ("gokart.parquet", "gokart.csv", "gokart.tsv", "gokart.ndjson"):
        pd.testing.assert_frame_equal(make_target(str(root / name)).load(), FRAME, check_dtype=False)
    np.testing.assert_array_equal(make_target(str(root / "gokart.npz")).load(), np.arange(4))
    assert make_target(str(root / "gokart.txt")).load() == ["a", "ü"]
    assert make_target(str(root / "gokart.gz")).load() == ["a", "ü"]
