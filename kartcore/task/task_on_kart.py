"""TaskOnKart: a luigi task whose result is dumped to a cached, parameter-hashed file.

The class keeps gokart's public contract (parameter names, ``dump``/``load``, ``make_target``,
``output()`` default) and delegates the work: file names to :mod:`naming`, the id to
:mod:`hashing`, records to :mod:`records`, files to :mod:`kartcore.io`. The run life cycle lives
in :mod:`lifecycle` (inside every class's ``run``, wrapped once at class creation).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import luigi
from luigi.task import flatten, getpaths
from typing_extensions import dataclass_transform

from kartcore import config
from kartcore.errors import (
    EmptyDumpError,
    KartError,
    OutputNotFoundError,
    TaskDefinitionError,
)
from kartcore.io import FileFormat, Target
from kartcore.io.formats import format_for_path
from kartcore.io.formats.frames import is_pandas_frame
from kartcore.task import (
    cloning,
    completion,
    display,
    fingerprint_inputs,
    hashing,
    inputs,
    integrity,
    lifecycle,
    locking,
    naming,
    param_list,
    past_runs,
    resolution,
    shapes,
    source,
    type_args,
)
from kartcore.task.frames import DataFrameHelpers
from kartcore.task.parameters import ExplicitBoolParameter, UnsetExplicitBoolParameter
from kartcore.task.staging import StagedOutputs

T = TypeVar("T")
K = TypeVar("K")


# PEP 681: a parameter annotated as such (n: luigi.IntParameter = ...) is an optional keyword argument of the
# task for type checkers (config may set any). TaskOnKart's own stay unannotated: mypy without kartcore.mypy would
# then generate an __init__ that rejects a subclass's unannotated parameters (it generates none without fields).
@dataclass_transform(kw_only_default=True, eq_default=False, field_specifiers=())
class TaskOnKart(DataFrameHelpers, luigi.Task, Generic[T]):
    """A task whose output is cached under ``workspace_directory`` with its unique id in the file name.

    Subclass it, declare luigi parameters, and call ``self.dump(obj)`` in ``run()``. Downstream
    tasks read it with ``self.load()``. Changing a significant parameter changes the unique id, so
    the task and everything downstream run again into new files; ``rerun=True`` runs again into
    the same files.
    """

    _kart_task = True

    workspace_directory = luigi.Parameter(
        default="./resources/", significant=False, description="Root directory of outputs and run records."
    )
    local_temporary_directory = luigi.Parameter(
        default="./resources/tmp/", significant=False, description="Scratch directory for multi-file targets."
    )
    rerun = luigi.BoolParameter(
        default=False, significant=False, description="Run again even when the output exists (same file name)."
    )
    rerun_stale = luigi.BoolParameter(
        default=False, significant=False, description="Also run stale tasks again (code or input changed: kart plan)."
    )
    strict_check = luigi.BoolParameter(
        default=False, significant=False, description="Complete only if every input also exists."
    )
    modification_time_check = luigi.BoolParameter(
        default=False, significant=False, description="Complete only if no input is newer than the outputs."
    )
    serialized_task_definition_check = luigi.BoolParameter(
        default=False, significant=False, description="Include the task's own source code in its unique id."
    )
    significant = luigi.BoolParameter(
        default=True, significant=False, description="If False, this task's id is left out of its dependents' ids."
    )
    fix_random_seed_methods = luigi.ListParameter(
        default=["random.seed", "numpy.random.seed"], significant=False, description="Seed functions called at start."
    )
    fix_random_seed_value = luigi.OptionalIntParameter(
        default=None, significant=False, description="Seed to use instead of one derived from the unique id."
    )
    fail_on_empty_dump = ExplicitBoolParameter(
        default=False, significant=False, description="Refuse to dump an empty pandas DataFrame."
    )
    cache_unique_id = ExplicitBoolParameter(
        default=True, significant=False, description="Compute the unique id once per task instance."
    )
    task_completion_check_at_run = ExplicitBoolParameter(
        default=True,
        significant=False,
        description="Skip run() if the task became complete since it was scheduled.",
        config_path={"section": "gokart_worker", "name": "task_completion_check_at_run"},  # gokart's worker section
    )
    complete_check_at_run = UnsetExplicitBoolParameter(
        default=None,
        significant=False,
        description="gokart's per-task switch: True checks at run even when task_completion_check_at_run is off.",
    )
    should_lock_run = ExplicitBoolParameter(
        default=False,
        significant=False,
        description="gokart's run-lock switch: kartcore locks runs whenever redis_host and redis_port are set.",
    )
    should_dump_supplementary_log_files = ExplicitBoolParameter(
        default=True, significant=False, description="Write the run records under <workspace>/log/."
    )
    refuse_foreign_pickles = ExplicitBoolParameter(
        default=False, significant=False, description="Load pickles only from trusted locations or your own files."
    )
    trusted_pickle_locations = luigi.ListParameter(
        default=[], significant=False, description="Workspaces whose pickles may be loaded with refuse_foreign_pickles."
    )
    verify_outputs = ExplicitBoolParameter(
        default=False, significant=False, description="Record output checksums; check inputs against them on load."
    )
    redis_host = luigi.OptionalParameter(
        default=None, significant=False, description="Redis host for run locks (on when host and port are set)."
    )
    redis_port = luigi.OptionalIntParameter(default=None, significant=False, description="Redis port for run locks.")
    redis_timeout = luigi.IntParameter(
        default=180, significant=False, description="Seconds a dead worker's run lock lives on (renewed while running)."
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        guarded = lifecycle.guard_run(cls.run)  # the whole run life cycle (lifecycle.py); classes, not instances
        if guarded is not cls.run:
            cls.run = guarded  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._kart_str_params: dict[tuple[bool, bool], dict[str, str]] = {}
        super().__init__(*args, **kwargs)
        self.task_log: dict[str, Any] = {}
        self._kart_rerun_pending = bool(self.rerun)
        self._kart_staged: StagedOutputs | None = None
        locking.check_should_lock_run(self)

    # ----- parameters and identity -----------------------------------------------------------

    @classmethod
    def get_params(cls) -> list[tuple[str, luigi.Parameter]]:
        """luigi's parameter list, kept per class while the class is unchanged (:mod:`param_list`)."""
        return param_list.class_params(cls, super().get_params)

    @classmethod
    def get_param_values(cls, params: list[tuple[str, luigi.Parameter]], args: Any, kwargs: Any) -> Any:
        """luigi's resolution, plus ``[TaskOnKart]`` values for parameters nothing more specific sets."""
        if not args:
            fast = resolution.resolved(cls, params, kwargs)
            if fast is not None:
                return fast
        positional = [name for name, param in params if param.positional][: len(args)]
        unset = [name for name, _ in params if name not in kwargs and name not in positional]
        shared = config.shared_values(cls.get_task_family(), unset)
        if shared:
            by_name = dict(params)
            kwargs = {**kwargs, **{name: by_name[name].parse(value) for name, value in shared.items()}}
        return super().get_param_values(params, args, kwargs)

    def to_str_params(self, only_significant: bool = False, only_public: bool = False) -> dict[str, str]:
        """luigi's serialised parameters, computed once per instance (deep task-parameter trees stay linear)."""
        key = (only_significant, only_public)
        cached = self._kart_str_params.get(key)
        if cached is None:
            cached = self._kart_str_params[key] = super().to_str_params(only_significant, only_public)
        return dict(cached)

    def make_unique_id(self) -> str:
        """The gokart-compatible hash of the significant parameters and upstream ids."""
        return self.__dict__.get(hashing.MEMO_ATTRIBUTE) or hashing.unique_id(self)

    def definition_code(self) -> str:
        """Source of the methods defined below TaskOnKart (hashed when serialized_task_definition_check)."""
        return source.own_code(type(self), TaskOnKart)

    def get_own_code(self) -> str:
        """gokart's name for :meth:`definition_code`."""
        return self.definition_code()

    is_task_on_kart = staticmethod(display.is_task_or_tasks)  # gokart's name

    def clone(self, cls: type | None = None, **kwargs: Any) -> luigi.Task:
        """luigi's clone, except that rerun and the strict checks are not copied from this task (:mod:`cloning`)."""
        target_cls = cls or type(self)
        if not getattr(target_cls, "_kart_task", False):
            return super().clone(cls, **kwargs)
        return target_cls(**cloning.clone_arguments(self, target_cls, kwargs))

    # ----- dependencies and outputs ----------------------------------------------------------

    def requires(self) -> Any:
        """By default, the tasks given through (List)TaskInstanceParameter, as a dict by parameter name.

        Parameters do not change after construction, so the answer is worked out once per instance.
        """
        found = self.__dict__.get("_kart_parameter_tasks")
        if found is None:
            found = self._kart_parameter_tasks = {}
            for name, _ in self.get_params():
                value = getattr(self, name)
                if isinstance(value, luigi.Task) or (
                    isinstance(value, tuple) and value and all(isinstance(item, luigi.Task) for item in value)
                ):
                    found[name] = value
        return dict(found) or []

    def input(self) -> Any:
        """luigi's input(), naming the task when requires() returned None (luigi: "Cannot map None")."""
        return getpaths(shapes.checked_requires(self))

    def output(self) -> Any:
        """By default one pickle: ``<workspace>/<module path>/<ClassName>_<unique id>.pkl``.

        Kept per instance while the unique id is (``cache_unique_id``): luigi asks for it several times a run.
        """
        target = self.__dict__.get("_kart_default_output")
        if target is None:
            target = self.make_target()
            if self.cache_unique_id:
                self._kart_default_output = target
        return target

    def make_target(
        self, relative_file_path: str | None = None, use_unique_id: bool = True, processor: FileFormat | None = None
    ) -> Target:
        """A target under the workspace; the format follows the extension unless ``processor`` is given."""
        relative = relative_file_path or naming.default_relative_path(type(self))
        try:
            unique_id = self.make_unique_id() if use_unique_id else None
            path = naming.output_path(self.workspace_directory, relative, unique_id)
            if processor is None:
                processor = format_for_path(path, frame_library=type_args.frame_library(type(self), TaskOnKart))
            return Target(path, processor, owner=self.label(), trust=integrity.trust_of(self))
        except KartError as exc:
            raise type(exc)(f"{self.label()}: {exc}") from None

    def is_endpoint(self) -> bool:
        """True for a task without its own ``run()``: it only gathers its requirements (the tutorial's Main)."""
        return type(self).run is TaskOnKart.run

    def complete(self) -> bool:
        """Complete when every output exists (and, with strict checks, every input too).

        An endpoint (no ``run()``) has no output of its own and is complete when its requirements
        are; gokart counts it as never complete and "runs" it every time. An error (e.g. storage
        that cannot be reached) is kept on the task, because luigi reports only its traceback text.
        """
        try:
            return self._complete()
        except Exception as exc:
            self._kart_complete_error = exc
            raise

    def _complete(self, consume: bool = True) -> bool:
        if self._kart_rerun_pending:
            self._kart_rerun_pending = not consume  # asked about by an endpoint above: still to run again
            return False
        if self.is_endpoint():
            return all(completion.complete_as_requirement(task) for task in flatten(self.requires()))
        if self.output() is None:
            raise shapes.output_none_error(self)
        return completion.outputs_complete(self)

    # ----- dump and load ---------------------------------------------------------------------

    @overload
    def dump(self, obj: T, target: None = None) -> None: ...
    @overload
    def dump(self, obj: Any, target: str | Target) -> None: ...
    def dump(self, obj: Any, target: str | Target | None = None) -> None:
        """Write ``obj`` to the output (``target`` selects one of a dict of outputs by key); typed by ``T``."""
        if self.fail_on_empty_dump and is_pandas_frame(obj) and obj.empty:  # type: ignore[attr-defined]
            raise EmptyDumpError(
                f"{self.label()}: refusing to dump an empty DataFrame (fail_on_empty_dump is on); nothing was written"
            )
        chosen = shapes.select_output(self, target)
        if isinstance(chosen, Target) and not getattr(chosen, "owner", ""):  # a test's stand-in may have none
            chosen.owner = self.label()
        self.check_pandas_types(obj, chosen)
        if self._kart_staged is not None:
            self._kart_staged.stage(chosen, obj)
            return
        unstaged = lifecycle.unstaged_dump_error(self, chosen.path())  # luigi runs a run() kartcore did not wrap
        if unstaged is not None:
            raise unstaged
        chosen.dump(obj)

    @overload
    def load(self, target: TaskOnKart[K]) -> K: ...
    @overload
    def load(self, target: Sequence[TaskOnKart[K]]) -> list[K]: ...
    @overload
    def load(self, target: Any = None) -> Any: ...
    def load(self, target: Any = None) -> Any:
        """Load inputs: all (``None``), one by key (``'name'``), a required task's output, or a target."""
        return map_targets(self._select_inputs(target), self._load_target)

    @overload
    def load_generator(self, target: TaskOnKart[K] | Sequence[TaskOnKart[K]]) -> Iterator[K]: ...
    @overload
    def load_generator(self, target: Any = None) -> Iterator[Any]: ...
    def load_generator(self, target: Any = None) -> Iterator[Any]:
        """Load inputs one at a time (values, in requires() order), to keep memory flat."""
        for item in flatten(self._select_inputs(target)):
            yield self._load_target(item)

    def _select_inputs(self, target: Any) -> Any:
        return inputs.select(self, target)

    def _load_target(self, target: Any) -> Any:
        if not isinstance(target, Target):
            raise TaskDefinitionError(
                f"{self.label()} cannot load {target!r}: only kartcore targets can be loaded (use target.open())"
            )
        try:
            integrity.check_before_load(self, target)
            fingerprint_inputs.note_loaded(self, target.path())  # during run(): what the run consumed
            return target.load(trust=integrity.trust_of(self))
        except OutputNotFoundError:
            raise OutputNotFoundError(
                f"{self.label()} cannot load its input {target.path()}: the file does not exist. The task that "
                "writes it has not run (or its output was deleted): run the pipeline with kartcore.build() or "
                "kartcore.run() so requirements run first"
            ) from None

    # ----- run life cycle (see lifecycle.py) ------------------------------------------------

    @lifecycle.guard_run
    def run(self) -> None:
        """None of its own: an endpoint gathers its requirements (its run records are written, as gokart's)."""

    def on_failure(self, exception: BaseException) -> Any:
        """Throw away anything a failed run left staged (run() does already); the previous outputs stay."""
        lifecycle.abandon_run(self)
        return super().on_failure(exception)

    # ----- records ---------------------------------------------------------------------------

    def label(self) -> str:
        """``Family[unique id]``: how messages name this task."""
        try:
            return f"{self.get_task_family()}[{self.make_unique_id()}]"
        except KartError:
            return self.get_task_family()

    def get_task_log(self) -> dict[str, Any]:
        """The task_log record of the last successful run, or the in-memory one (read under the trust settings)."""
        return past_runs.task_log(self)

    def get_processing_time(self) -> float | str:
        """Seconds the last successful run took, or ``'unknown'`` (the JSON run record first: no unpickling)."""
        return past_runs.processing_time(self)

    def get_info(self, only_significant: bool = False) -> dict[str, str]:
        """Parameters as strings, with task parameters shown as ``Family-<unique id>``."""
        return display.info(self, only_significant)

    @classmethod
    def restore(cls, unique_id: str) -> TaskOnKart[Any]:
        """Rebuild a task from its run record in the default workspace (JSON, else task_params if trusted)."""
        return cls.from_str_params(past_runs.recorded_params(TaskOnKart(), cls.__name__, unique_id))

    def __repr__(self) -> str:
        """``Family[unique id](param=value, ..., upstream=Family(unique id))``: the significant parameters."""
        try:
            return display.task_string(self, only_public=False)
        except Exception:
            return super().__repr__()

    def __str__(self) -> str:
        """As :meth:`__repr__` without private parameters (``visibility=PRIVATE``), as gokart shows a task."""
        try:
            return display.task_string(self, only_public=True)
        except Exception:
            return super().__repr__()


def map_targets(structure: Any, load: Any) -> Any:
    if isinstance(structure, dict):
        return {key: map_targets(value, load) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [map_targets(value, load) for value in structure]
    return load(structure)
