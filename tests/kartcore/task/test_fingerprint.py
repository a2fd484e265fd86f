"""Code fingerprints (kartcore/task/fingerprint.py): formatting, comments and docstrings do not count; code does."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import uuid
from pathlib import Path
from types import ModuleType

import kartcore
from kartcore.task.fingerprint import code_fingerprint, project_classes

SOURCE = '''
import luigi

import kartcore


class Base(kartcore.TaskOnKart):
    """The project's base."""

    def helper(self):
        return 1


class Task(Base):
    """Doubles."""

    size = luigi.IntParameter(default=2)

    def run(self):
        self.dump(self.size * 2)
'''


def load(tmp_path: Path, source: str) -> ModuleType:
    """Import ``source`` as a fresh module from a file (a new name each time: no cached class)."""
    name = f"fp_{uuid.uuid4().hex}"
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def digest(tmp_path: Path, source: str) -> dict[str, str]:
    """Per-class digests keyed by bare class name (module names differ per load)."""
    found = code_fingerprint(load(tmp_path, source).Task)
    assert found.problem is None
    return {name.rsplit(".", 1)[1]: value for name, value in found.classes.items()}


def test_the_task_and_its_project_bases_are_hashed_not_kartcore_or_luigi(tmp_path: Path) -> None:
    module = load(tmp_path, SOURCE)
    found = code_fingerprint(module.Task)
    assert list(found.classes) == [f"{module.__name__}.Task", f"{module.__name__}.Base"]
    assert [cls.__name__ for cls in project_classes(module.Task)] == ["Task", "Base"]
    assert found.digest is not None and len(found.digest) == 64
    assert found.as_record() == {"digest": found.digest, "classes": found.classes, "problem": None}
    assert code_fingerprint(kartcore.TaskOnKart).classes == {}


def test_comments_blank_lines_formatting_and_docstrings_do_not_change_it(tmp_path: Path) -> None:
    reformatted = '''
    import luigi
    import kartcore
    # a comment at the top
    class Base(kartcore.TaskOnKart):
        """Another docstring, longer than before."""
        def helper(self):  # trailing comment
            return (
                1
            )
    class Task(Base):
        size = luigi.IntParameter(
            default=2,
        )
        def run(self):
            # why we double
            self.dump(self.size*2)
    '''
    assert digest(tmp_path, reformatted) == digest(tmp_path, SOURCE)


def test_a_change_to_the_code_changes_the_class_that_changed(tmp_path: Path) -> None:
    before = digest(tmp_path, SOURCE)
    body = digest(tmp_path, SOURCE.replace("self.size * 2", "self.size * 3"))
    assert body["Task"] != before["Task"] and body["Base"] == before["Base"]
    base = digest(tmp_path, SOURCE.replace("return 1", "return 2"))
    assert base["Base"] != before["Base"] and base["Task"] == before["Task"]
    default = digest(tmp_path, SOURCE.replace("default=2", "default=5"))
    assert default["Task"] != before["Task"]


def test_a_class_defined_by_exec_has_no_fingerprint(tmp_path: Path) -> None:
    module = load(tmp_path, SOURCE)
    namespace = dict(vars(module))
    exec("class Task(Base):\n    def run(self):\n        self.dump(1)\n", namespace)
    found = code_fingerprint(namespace["Task"])
    assert found.digest is None
    assert "cannot be read" in (found.problem or "")


def test_a_class_defined_by_exec_under_the_name_of_a_class_in_the_file_is_not_mistaken_for_it(
    tmp_path: Path,
) -> None:
    module = load(tmp_path, SOURCE)
    namespace = {"__name__": module.__name__, "Base": module.Base}
    exec("class Task(Base):\n    def run(self):\n        self.dump(7)\n", namespace)
    found = code_fingerprint(namespace["Task"])
    assert found.digest is None
    assert "is not the one running" in (found.problem or "")


def test_a_notebook_cell_class_has_no_fingerprint() -> None:
    namespace = {"__name__": "__main__", "kartcore": kartcore}
    exec("class Cell(kartcore.TaskOnKart):\n    def run(self):\n        self.dump(1)\n", namespace)
    found = code_fingerprint(namespace["Cell"])
    assert found.digest is None and found.problem


def test_a_class_defined_inside_a_function_has_no_fingerprint(tmp_path: Path) -> None:
    module = load(
        tmp_path,
        """
        import kartcore

        def make():
            class Task(kartcore.TaskOnKart):
                def run(self):
                    self.dump(1)
            return Task
        """,
    )
    found = code_fingerprint(module.make())
    assert found.digest is None
    assert "inside a function" in (found.problem or "")


def test_warm_fingerprints_every_derived_class_before_worker_processes_fork(tmp_path: Path) -> None:
    from kartcore.task import fingerprint
    from kartcore.task.prefork import prepare_worker_processes

    module = load(tmp_path, SOURCE)
    fingerprint._cache.clear()
    prepare_worker_processes(kartcore.TaskOnKart)
    assert module.Task in fingerprint._cache and module.Base in fingerprint._cache
