"""Configuration entries nothing reads: unknown keys of task sections and sections that name nothing.

Why: luigi looks values up by name and never asks what else a file holds, so ``[TaskOnKart]
workspace_dir = ...`` (for ``workspace_directory``) or a section for a renamed task is silently
ignored and the run uses defaults. :func:`find_unknown_entries` lists such entries, each with the
closest known name; ``build()`` and ``run()`` log them as warnings (:func:`warn_unknown_entries`), and
a ``kart check`` command can print the same list.

What counts as known: every registered task family and its parameters; for ``[TaskOnKart]``, the
parameters of every registered TaskOnKart class (its values apply to all of them); the sections of
``luigi.Config`` classes (their keys are not checked: luigi reads some of them under other names);
luigi's own sections, also those of its modules that are not imported (:data:`LUIGI_SECTIONS`).
"""

from __future__ import annotations

import configparser
import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import luigi
import luigi.configuration
from luigi.task_register import Register, TaskClassException

from kartcore.config import SHARED_SECTION

logger = logging.getLogger(__name__)

#: Sections luigi (and its contrib modules) read without a task class being registered for them.
LUIGI_SECTIONS = frozenset(
    {
        "batch_email",
        "batch_notifier",
        "beam_dataflow",
        "bigquery",
        "core",
        "cors",
        "datadog",
        "docker",
        "dockerconfig",
        "ecs",
        "elasticsearch",
        "email",
        "execution_summary",
        "gcs",
        "hadoop",
        "hadoopcli",
        "hdfs",
        "hive",
        "kubernetes",
        "logging",
        "lsf",
        "mssql",
        "mysql",
        "pig",
        "postgres",
        "presto",
        "prometheus",
        "pyspark_runner",
        "redshift",
        "resources",
        "retcode",
        "s3",
        "salesforce",
        "scalding",
        "scheduler",
        "sendgrid",
        "sge",
        "smtp",
        "spark",
        "sqlalchemy",
        "task_history",
        "webhdfs",
        "worker",
    }
)


@dataclass(frozen=True)
class UnknownConfigEntry:
    """A config section that names nothing, or a key of a task section that names no parameter."""

    section: str
    #: None when the whole section is unknown.
    key: str | None
    #: The closest known section or parameter name, if any is close.
    suggestion: str | None = None
    #: A further hint (e.g. how to write a namespaced task's TOML header), if any.
    hint: str = ""

    @property
    def message(self) -> str:
        """One line for a log or a terminal: what is ignored, and the likely intended name."""
        close = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        if self.key is None:
            what = f"config section [{self.section}] names no task or config class imported so far{close}"
        else:
            what = f"config section [{self.section}] has no parameter {self.key!r}{close}"
        return f"{what}; it is ignored{self.hint}"


def find_unknown_entries(config: Any = None, register: Any = Register) -> list[UnknownConfigEntry]:
    """The entries of ``config`` (luigi's by default) that nothing in ``register`` would read, in file order."""
    config = luigi.configuration.get_config() if config is None else config
    if not isinstance(config, configparser.RawConfigParser):
        return []  # luigi's TOML parser (LUIGI_CONFIG_PARSER=toml): kartcore's add_config converts TOML to ini
    classes = _registered_classes(register)
    shared_keys = {name for cls in classes.values() if _is_kart_task(cls) for name, _ in cls.get_params()}
    defaults = set(config.defaults())
    found = []
    for section in config.sections():
        keys = [key for key in config.options(section) if key not in defaults]
        if section in classes:
            cls = classes[section]
            if cls is None or issubclass(cls, luigi.Config):
                continue  # ambiguous family, or a parameters class: not ours to judge
            known = shared_keys if section == SHARED_SECTION else {name for name, _ in cls.get_params()}
            known |= set(getattr(cls, "ignore_unconsumed", set()))
            found += [_unknown_key(section, key, known, classes) for key in keys if _name(key) not in known]
        elif section not in LUIGI_SECTIONS:
            found.append(UnknownConfigEntry(section, None, _closest(section, [*classes, *LUIGI_SECTIONS])))
    return found


_warned: tuple[int, set[str]] = (0, set())


def warn_unknown_entries(config: Any = None, register: Any = Register) -> list[UnknownConfigEntry]:
    """Log each unknown entry as a warning on the ``kartcore`` logger; return them.

    Called at the start of ``build()`` and ``run()``. A process does not repeat a warning for the same
    configuration object (a Dask worker runs one build per task), but does after the configuration
    is reloaded.
    """
    global _warned
    config = luigi.configuration.get_config() if config is None else config
    entries = find_unknown_entries(config, register)
    if _warned[0] != id(config):
        _warned = (id(config), set())
    for entry in entries:
        if entry.message not in _warned[1]:
            _warned[1].add(entry.message)
            logger.warning("%s", entry.message)
    return entries


def _registered_classes(register: Any) -> dict[str, type | None]:
    """Family -> class (None when two unrelated classes share the family)."""
    classes: dict[str, type | None] = {}
    for family in register.task_names():
        try:
            classes[family] = register.get_task_cls(family)
        except TaskClassException:
            classes[family] = None
    return classes


def _is_kart_task(cls: type | None) -> bool:
    return cls is not None and bool(getattr(cls, "_kart_task", False)) and not issubclass(cls, luigi.Config)


def _name(key: str) -> str:
    return key.replace("-", "_")  # luigi reads workspace-directory as workspace_directory


def _unknown_key(section: str, key: str, known: set[str], classes: dict[str, Any]) -> UnknownConfigEntry:
    nested = f"{section}.{key}"
    if nested in classes:  # a TOML header [Train.Sub] under [Train] is Train's parameter, not task Train.Sub
        hint = f'; to configure task {nested} from TOML, write its header with quotes: ["{nested}"]'
        return UnknownConfigEntry(section, key, None, hint)
    return UnknownConfigEntry(section, key, _closest(_name(key), known))


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name`` (case aside), if any is close enough to be a likely typo."""
    by_lower: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_lower.setdefault(candidate.lower(), candidate)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None
