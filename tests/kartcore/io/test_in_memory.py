"""In-memory targets and their process-wide repository (kartcore/io/in_memory.py)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from kartcore.errors import InMemoryKeyError, InMemoryTargetError
from kartcore.io import Target
from kartcore.io.in_memory import InMemoryRepository, InMemoryTarget, make_in_memory_target


@pytest.fixture(autouse=True)
def _empty_repository() -> Iterator[None]:
    InMemoryRepository().clear()
    yield
    InMemoryRepository().clear()


def test_a_dumped_value_loads_back_as_the_same_object() -> None:
    target = make_in_memory_target("intermediate")
    value = {"rows": [1, 2, 3]}
    assert not target.exists()
    target.dump(value)
    assert target.exists()
    assert target.load() is value
    assert isinstance(target, Target) and target.path() == "intermediate"


def test_every_repository_instance_shares_one_table() -> None:
    InMemoryRepository().set_value("a", 1)
    other = InMemoryRepository()
    assert other.has("a") and other.get_value("a") == 1 and other.size == 1 and not other.empty()
    other.set_value("b", "two")
    assert dict(InMemoryRepository().get_gen()) == {"a": 1, "b": "two"}
    InMemoryRepository().clear()
    assert other.empty() and other.size == 0


def test_the_modification_time_moves_with_each_dump() -> None:
    target = make_in_memory_target("timed")
    target.dump(1)
    first = target.last_modification_time()
    time.sleep(0.01)
    target.dump(2)
    assert isinstance(first, datetime.datetime) and target.last_modification_time() > first


def test_loading_before_dumping_names_the_key_and_the_fix() -> None:
    target = InMemoryTarget("features_abc123", owner="pkg.Features[abc123]")
    with pytest.raises(InMemoryKeyError) as raised:
        target.load()
    message = str(raised.value)
    assert message.startswith("pkg.Features[abc123]: cannot load in-memory target 'features_abc123'")
    assert "nothing was dumped to it in this process" in message and "file output" in message
    # gokart's types for the same cases, so code catching them keeps working
    assert isinstance(raised.value, KeyError)
    with pytest.raises(ValueError, match="features_abc123"):
        target.last_modification_time()
    with pytest.raises(AssertionError, match="cannot remove in-memory target 'gone'"):
        InMemoryRepository().remove("gone")
    assert InMemoryRepository().empty()


def test_remove_forgets_the_value_and_is_quiet_when_there_is_none() -> None:
    target = make_in_memory_target("removable")
    target.remove()
    target.dump("x")
    target.remove()
    assert not target.exists()


def test_a_staged_value_is_invisible_until_committed_and_gone_when_discarded() -> None:
    target = make_in_memory_target("staged")
    token = target.stage("new")
    assert not target.exists()
    target.commit(token)
    assert target.load() == "new"
    dropped = target.stage("never published")
    target.discard(dropped)
    assert target.load() == "new"
    with pytest.raises(KeyError):
        target.commit(dropped)


@pytest.mark.parametrize("key", ["", None, 3])
def test_a_key_that_is_not_a_non_empty_string_is_refused(key: object) -> None:
    with pytest.raises(InMemoryTargetError, match="needs a non-empty string key, got"):
        make_in_memory_target(key)  # type: ignore[arg-type]
    assert InMemoryRepository().empty()


def test_lock_parameters_that_ask_for_a_redis_lock_are_refused() -> None:
    with pytest.raises(InMemoryTargetError, match="'locked': a Redis run lock cannot guard") as raised:
        make_in_memory_target("locked", SimpleNamespace(should_task_lock=True))
    assert isinstance(raised.value, ValueError)  # what gokart raises
    assert make_in_memory_target("unlocked", SimpleNamespace(should_task_lock=False)).path() == "unlocked"


def test_a_preview_shows_the_value() -> None:
    target = make_in_memory_target("shown")
    target.dump([1, 2])
    preview = target.preview(rows=5, budget=1024)
    assert preview is not None and preview.value == [1, 2] and not preview.partial
