"""Looking at a pipeline without running it: the DAG (tree), its drawings (render, html), gokart's task
table (table), past runs (history), what a workspace holds (workspace, behind ``kart clean``), what the
next run will do and why (plan, plan_render, behind ``kart plan``) and config entries nothing reads
(check, behind ``kart check``).

Modules point one way, checked by import-linter's ``acyclic_siblings`` contract and
tests/kartcore/inspection/test_no_import_cycles.py::

    render -> html -> view -> tree          workspace -> view       table -> tree       history (alone)
    plan_render -> plan -> tree             check (alone)

This file imports nothing, so ``import kartcore`` (which needs only ``tree``) stays cheap.
"""
