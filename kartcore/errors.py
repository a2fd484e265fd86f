"""Every exception kartcore raises, rooted at :class:`KartError`.

One module so that callers can catch the whole family with one ``except KartError`` and so that
the command line can map the root to an exit code. Messages name the task, the file and the fix.
The gokart names (``GokartBuildError``, ``EmptyDumpError`` as an ``AssertionError``) are kept so
code written for gokart keeps catching what it used to catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class KartError(Exception):
    """Root of every error kartcore raises on purpose."""


class ConfigError(KartError):
    """A configuration file or value kartcore cannot use."""


class UsageError(KartError, ValueError):
    """A command line or call kartcore cannot use: an unknown option, a value that does not parse, ``--workers 0``.

    Also a ``ValueError``, since ``build(task, workers=0)`` is a bad argument like any other.
    """


class TaskDefinitionError(KartError, ValueError):
    """A task class does something the runtime cannot work with (e.g. ``requires()`` returns a non-task).

    Also a ``ValueError``, which is what gokart raises for a bad ``requires()``.
    """


class UnsupportedFormatError(KartError):
    """No file format is registered for a target's extension."""


class FormatError(KartError):
    """A format cannot hold the object given to it, or cannot read a file."""


class UnsafePathError(KartError):
    """An output path would escape the task's workspace, or cannot name a file (a NUL byte, no file name)."""


class StorageError(KartError):
    """A storage backend (an object store, a remote file system) failed for a reason other than "not found".

    Bad or missing credentials, an unreachable endpoint, a refused request: never reported as a
    missing file, so a broken credential cannot make a cached output look absent.
    """


class OutputNotFoundError(KartError, FileNotFoundError):
    """A target that should exist does not (a missing input, or an output ``run()`` never dumped)."""


class UntrustedFileError(KartError):
    """A file whose loading runs code (a pickle) was written by someone the settings do not trust."""


class EmptyDumpError(KartError, AssertionError):
    """``fail_on_empty_dump`` is on and the task dumped an empty data frame."""


class PandasTypeError(KartError):
    """A dumped data frame breaks the column types its task namespace's ``PandasTypeConfig`` declares."""


class LockError(KartError):
    """A conflict-prevention lock could not be used: Redis unreachable, or waiting for the lock timed out."""


class NotRequiredError(TaskDefinitionError, AssertionError):
    """``self.load(task)`` for a task that is not among ``requires()``; an ``AssertionError`` too, as gokart's."""


class RunLockSettingsError(ConfigError, AssertionError):
    """``should_lock_run=True`` without ``redis_host`` and ``redis_port``; an ``AssertionError`` too, as gokart's."""


class SchedulerUnreachableError(KartError):
    """The scheduler a run is pointed at (a Dask scheduler) cannot be reached: found in seconds, before any run."""


class RemoteTaskError(KartError):
    """A task failed on a remote worker (a Dask worker): its key and the worker's traceback text.

    Only text travels back, because the task's own exception may not unpickle on the driver.
    """

    def __init__(self, key: str, text: str) -> None:
        super().__init__(key, text)
        self.key = key
        self.text = text

    def __str__(self) -> str:
        return self.text


class InMemoryKeyError(KartError, KeyError, ValueError, AssertionError):
    """An in-memory target's key holds no value in this process (e.g. loaded before it was dumped).

    Also a ``KeyError``, ``ValueError`` and ``AssertionError``: what gokart raises for a missing key when
    reading its in-memory repository, asking its target's modification time and removing, in that order.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # KeyError would quote the message


class InMemoryTargetError(KartError, ValueError):
    """An in-memory target used where its value could not be kept: another process, a Redis run lock, no key."""


class SlackError(KartError, RuntimeError):
    """A Slack notification could not be sent; logged as one warning, never raised out of ``run()``."""


class MissingColumnsError(KartError, AssertionError):
    """``load_data_frame(required_columns=...)``: an input lacks required columns.

    Also an ``AssertionError``, which is what gokart's ``load_data_frame`` raised.
    """


@dataclass(frozen=True)
class TaskFailure:
    """One failed task of a build: the task, its exception (when it ran in this process) and its traceback text."""

    task: Any
    exception: BaseException | None
    traceback: str

    @property
    def unique_id(self) -> str:
        """The failed task's kartcore unique id, or its luigi task id for plain luigi tasks."""
        make_unique_id = getattr(self.task, "make_unique_id", None)
        return make_unique_id() if callable(make_unique_id) else str(getattr(self.task, "task_id", self.task))


class BuildError(KartError):
    """``build()`` could not complete the DAG.

    Carries every failed task with its exception and traceback text, so a notebook user sees the
    real cause instead of a later "file not found".
    """

    def __init__(self, message: str, failures: list[TaskFailure] | None = None) -> None:
        super().__init__(message)
        self.failures: list[TaskFailure] = list(failures or [])

    @property
    def task(self) -> Any:
        """The first failed task, or None when the failure was not tied to a task."""
        return self.failures[0].task if self.failures else None

    @property
    def exception(self) -> BaseException | None:
        """The first failed task's exception, when it was raised in this process."""
        return self.failures[0].exception if self.failures else None

    @property
    def traceback(self) -> str:
        """The first failed task's traceback text."""
        return self.failures[0].traceback if self.failures else ""

    @property
    def raised_exceptions(self) -> dict[str, list[BaseException]]:
        """gokart's shape: ``{unique_id: [exception, ...]}`` for failures raised in this process."""
        collected: dict[str, list[BaseException]] = {}
        for failure in self.failures:
            if failure.exception is not None:
                collected.setdefault(failure.unique_id, []).append(failure.exception)
        return collected


GokartBuildError = BuildError

__all__ = [
    "BuildError",
    "ConfigError",
    "EmptyDumpError",
    "FormatError",
    "GokartBuildError",
    "KartError",
    "LockError",
    "MissingColumnsError",
    "OutputNotFoundError",
    "PandasTypeError",
    "RemoteTaskError",
    "SchedulerUnreachableError",
    "StorageError",
    "TaskDefinitionError",
    "TaskFailure",
    "UnsafePathError",
    "UnsupportedFormatError",
    "UntrustedFileError",
    "UsageError",
]
