"""Seeds: derived from the unique id, applied to random and numpy, recorded; custom methods; missing libraries."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import numpy as np

import kartcore
from kartcore.task.seed import apply_seed, seed_for


class Draws(kartcore.TaskOnKart):
    def run(self) -> None:
        self.dump((random.random(), float(np.random.random())))


def test_random_and_numpy_are_seeded_from_the_unique_id(workspace: Path) -> None:
    task = Draws()
    first = kartcore.build(task)
    seed = int(task.make_unique_id(), 16) % (2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)
    assert first == (random.random(), float(np.random.random()))
    record = pickle.loads((workspace / "log" / "random_seed" / f"Draws_{task.make_unique_id()}.pkl").read_bytes())
    assert record == {"seed": seed, "seed_methods": ["random.seed", "numpy.random.seed"]}


def test_custom_methods_and_missing_libraries_are_skipped(workspace: Path) -> None:
    task = Draws(fix_random_seed_methods=["random.seed", "no_such_library.seed", "random.no_such_function"])
    kartcore.build(task)
    record = pickle.loads((workspace / "log" / "random_seed" / f"Draws_{task.make_unique_id()}.pkl").read_bytes())
    assert record["seed_methods"] == ["random.seed"]


def test_seed_helpers() -> None:
    assert seed_for("8441c59b5ce0113396d53509f19371fb", None) == 1770683860
    assert seed_for("8441c59b5ce0113396d53509f19371fb", 0) == 0
    assert apply_seed(["random.seed", "missing.module.seed"], 3) == ["random.seed"]
