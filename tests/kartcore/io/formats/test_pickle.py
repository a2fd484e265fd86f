"""``.pkl``: plain pickle first, cloudpickle/dill only when needed, errors that name what cannot be pickled."""

from __future__ import annotations

import io
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kartcore.errors import FormatError
from kartcore.io import make_target
from kartcore.io.formats import format_for_extension
from kartcore.io.formats import pickle as pickle_format
from tests.conftest import no_temp_files


class Holder:
    """A module-level class: plain pickle can hold it."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


def _local_instance() -> Any:
    class Local:
        def __init__(self) -> None:
            self.value = 41

        def answer(self) -> int:
            return self.value + 1

    return Local()


def test_plain_objects_are_plain_pickle_protocol_5(tmp_path: Path) -> None:
    path = tmp_path / "plain.pkl"
    make_target(str(path)).dump({"a": [1, 2], "frame": pd.DataFrame({"x": [1]})})
    data = path.read_bytes()
    assert data[:2] == b"\x80\x05"
    assert b"cloudpickle" not in data and b"dill" not in data


@pytest.mark.parametrize("fallback", ["cloudpickle", "dill"])
def test_lambdas_and_local_classes_fall_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallback: str) -> None:
    pytest.importorskip(fallback)
    monkeypatch.setattr(pickle_format, "FALLBACKS", (fallback,))
    path = tmp_path / "functions.pkl"
    target = make_target(str(path))
    target.dump({"double": lambda x: x * 2, "local": _local_instance()})
    assert fallback.encode() in path.read_bytes()
    loaded = target.load()
    assert loaded["double"](21) == 42 and loaded["local"].answer() == 42
    assert no_temp_files(tmp_path)


def test_without_fallbacks_a_lambda_is_refused_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_format, "FALLBACKS", ())
    target = make_target(str(tmp_path / "f.pkl"))
    with pytest.raises(FormatError) as info:
        target.dump({"model": Holder(score=lambda x: x)})
    message = str(info.value)
    assert "f.pkl" in message and "obj['model'].score (function)" in message
    assert "install cloudpickle or dill" in message
    assert not target.exists() and no_temp_files(tmp_path)


def test_unpicklable_object_names_the_attribute_and_type(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "model.pkl"))
    target.dump("previous")
    model = Holder(weights=[1.0, 2.0], stream=Holder(source=(i for i in range(3))))
    with pytest.raises(FormatError) as info:
        target.dump({"model": model})
    message = str(info.value)
    assert "model.pkl" in message
    assert "obj['model'].stream.source (generator)" in message
    assert target.load() == "previous" and no_temp_files(tmp_path)


def test_unpicklable_lock_in_a_list_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickle_format, "FALLBACKS", ("cloudpickle",))  # dill would pickle a lock
    pytest.importorskip("cloudpickle")
    with pytest.raises(FormatError, match=r"obj\[1\] \(_thread\.lock\)"):
        make_target(str(tmp_path / "lock.pkl")).dump([1, threading.Lock()])


def test_non_seekable_file_is_not_retried() -> None:
    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, chunk: Any) -> int:
            self.data += bytes(chunk)
            return len(chunk)

    with pytest.raises(pickle.PicklingError, match="cannot be rewound"):
        format_for_extension(".pkl").dump(lambda: None, Stream())


def test_dill_pickle_without_dill_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dill = pytest.importorskip("dill")
    path = tmp_path / "dill.pkl"
    path.write_bytes(dill.dumps(lambda x: x + 1))
    for name in [name for name in sys.modules if name == "dill" or name.startswith("dill.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dill", None)  # "not installed"
    with pytest.raises(FormatError, match="written with dill: pip install dill"):
        make_target(str(path)).load()


def test_old_pandas_pickle_is_read_with_pandas(tmp_path: Path) -> None:
    # What an old pandas pickles for an Int64Index: a class plain pickle cannot find any more, but
    # pandas' compatibility unpickler maps to today's Index.
    path = tmp_path / "old.pkl"
    path.write_bytes(b"cpandas.core.indexes.numeric\nInt64Index\n.")
    assert make_target(str(path)).load() is pd.Index


def test_garbage_is_reported_with_the_first_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pkl"
    path.write_bytes(b"this is not a pickle")
    with pytest.raises(FormatError, match=r"garbage\.pkl.*UnpicklingError.*rerun=True"):
        make_target(str(path)).load()
