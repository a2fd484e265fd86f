"""complete(): only published outputs count, also when asked from inside the task's own run()."""

from __future__ import annotations

import kartcore


class AsksItself(kartcore.TaskOnKart[list]):
    def run(self) -> None:
        self.dump([])
        self.seen = self.complete()  # after the dump, before publishing


def test_a_task_is_not_complete_inside_its_own_run_after_dumping() -> None:
    task = AsksItself()
    kartcore.build(task)
    assert task.seen is False
    assert task.complete()


def test_an_empty_output_counts_as_complete_as_in_gokart() -> None:
    class NoOutputs(kartcore.TaskOnKart[int]):
        def output(self) -> list[object]:
            return []

    assert NoOutputs().complete()
