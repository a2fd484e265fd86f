"""A small pipeline in a real source file that tests edit and re-import, for fingerprints and staleness.

``Load`` -> ``Double`` -> ``Total`` -> ``Report`` and ``Load`` -> ``Side`` -> ``Report``. Each test gets its
own module name and task namespace, so classes of other tests never collide in luigi's registry.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import textwrap
import uuid
from pathlib import Path
from types import ModuleType

SOURCE = textwrap.dedent(
    '''
    """A pipeline whose code the test changes."""

    import luigi

    import kartcore


    class Base(kartcore.TaskOnKart):
        task_namespace = "NAMESPACE"


    class Load(Base):
        def run(self):
            self.dump([1, 2, 3])


    class Double(Base):
        def requires(self):
            return Load()

        def run(self):
            self.dump([x * 2 for x in self.load()])


    class Total(Base):
        def requires(self):
            return Double()

        def run(self):
            self.dump(sum(self.load()))


    class Side(Base):
        def requires(self):
            return Load()

        def run(self):
            self.dump(len(self.load()))


    class Report(Base):
        def requires(self):
            return {"total": Total(), "side": Side()}

        def run(self):
            self.dump({"total": self.load("total"), "side": self.load("side")})


    class Gather(Base):
        """No run(): complete when its requirements are."""

        def requires(self):
            return Report()
    '''
)

TASKS = ("Load", "Double", "Total", "Side", "Report")


class PipelineFile:
    """The pipeline's module file in ``directory``: import it, edit it, import it again."""

    def __init__(self, directory: Path) -> None:
        self.name = f"stale_{uuid.uuid4().hex[:12]}"
        self.path = directory / f"{self.name}.py"
        self.path.write_text(SOURCE.replace("NAMESPACE", self.name), encoding="utf-8")
        self.module = self._import()

    def _import(self) -> ModuleType:
        sys.modules.pop(self.name, None)
        importlib.invalidate_caches()
        spec = importlib.util.spec_from_file_location(self.name, self.path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.name] = module
        spec.loader.exec_module(module)
        return module

    def edit(self, old: str, new: str) -> ModuleType:
        """Replace ``old`` (which must occur) with ``new`` in the file and import the module again."""
        text = self.path.read_text(encoding="utf-8")
        assert old in text, old
        self.path.write_text(text.replace(old, new), encoding="utf-8")
        self.module = self._import()
        return self.module

    def family(self, name: str) -> str:
        return f"{self.name}.{name}"
