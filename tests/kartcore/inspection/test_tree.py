"""The DAG as text: gokart's exact format, completion state, details, abbreviation, deep chains."""

from __future__ import annotations

import luigi

import kartcore
from tests.config_reads import counting_config_reads


class A(kartcore.TaskOnKart):
    def run(self) -> None:
        self.dump(1)


class B(kartcore.TaskOnKart):
    a = kartcore.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(2)


class C(kartcore.TaskOnKart):
    def requires(self):
        return {"x": B(a=A()), "y": B(a=A()), "z": A()}

    def run(self) -> None:
        self.dump(3)


class D(kartcore.TaskOnKart):
    def requires(self):
        return [C(), A()]


# Produced by gokart 1.12.2's make_tree_info for the same classes after building A.
GOKART_TREE = """
└─-(PENDING) D[1a9329934020f7af8b9381b555f5477c]
   |--(PENDING) C[c6f5eb23ef61766cd9873d948ab360e8]
   |  |--(PENDING) B[f78d38680519bb42e8c79eac24751506]
   |  |  └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
   |  |--(PENDING) B[f78d38680519bb42e8c79eac24751506]
   |  |  └─- ...
   |  └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
   |     └─- ...
   └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
      └─- ..."""

GOKART_TREE_FULL = """
└─-(PENDING) D[1a9329934020f7af8b9381b555f5477c]
   |--(PENDING) C[c6f5eb23ef61766cd9873d948ab360e8]
   |  |--(PENDING) B[f78d38680519bb42e8c79eac24751506]
   |  |  └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
   |  |--(PENDING) B[f78d38680519bb42e8c79eac24751506]
   |  |  └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
   |  └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]
   └─-(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb]"""


def test_tree_matches_gokart_format() -> None:
    kartcore.build(A())
    assert kartcore.make_tree_info(D()) == GOKART_TREE
    assert kartcore.make_tree_info(D(), abbr=False) == GOKART_TREE_FULL
    assert kartcore.tree_info(D()) == GOKART_TREE
    assert kartcore.make_task_info_as_tree_str(D(), abbr=False) == GOKART_TREE_FULL


def test_details_show_params_output_time_and_log() -> None:
    kartcore.build(A())
    text = kartcore.make_tree_info(B(a=A()), details=True)
    assert "(PENDING) B[f78d38680519bb42e8c79eac24751506](parameter={'a': 'A-c72fa9f02fa5c6f019adbf9fe425c9eb'}" in text
    assert "time=unknown" in text
    assert "(COMPLETE) A[c72fa9f02fa5c6f019adbf9fe425c9eb](parameter={}, output=['./resources/" in text
    assert "task_log={'file_path': [" in text


def test_ignored_names_are_left_out() -> None:
    assert "A[" not in kartcore.make_tree_info(D(), ignore_task_names=["A"])


def test_tree_does_not_consume_rerun_or_run_anything() -> None:
    kartcore.build(A())
    task = A(rerun=True)
    assert "(COMPLETE) A[" in kartcore.tree_info(task)
    assert not task.complete(), "the pending rerun is still there for the build"


def test_deep_chain_does_not_hit_the_recursion_limit() -> None:
    class Link(kartcore.TaskOnKart):
        depth = luigi.IntParameter()

        def requires(self):
            return Link(depth=self.depth - 1) if self.depth else []

    text = kartcore.tree_info(Link(depth=1500))
    assert text.count("(PENDING) Link[") == 1501


class Leaf(kartcore.TaskOnKart):
    i = luigi.IntParameter()


class Fan(kartcore.TaskOnKart):
    n = luigi.IntParameter()

    def requires(self):
        return [Leaf(i=k) for k in range(self.n)]


def test_tree_info_reads_the_configuration_once_per_class_not_per_task() -> None:
    """As in build(): 45 more leaves used to cost ~8,000 more config reads (issue 12, finding 10)."""
    counts = []
    for leaves in (5, 50):
        root = Fan(n=leaves)
        with counting_config_reads() as reads:
            kartcore.tree_info(root)
        counts.append(reads())
    assert counts[1] - counts[0] < 45, counts
