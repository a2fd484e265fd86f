"""TaskOnKart's zip targets and pandas helpers, as a mixin of TaskOnKart.

The task layer may not import pandas, so the pandas work happens in
:mod:`kartcore.io.frame_tools` and :mod:`kartcore.io.zip_targets`; this module decides which task,
inputs, paths and configuration they apply to, and names the task in every error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from luigi.task import flatten

from kartcore.errors import KartError, PandasTypeError
from kartcore.io import FileFormat, Target, frame_tools, zip_targets
from kartcore.io.formats.frames import is_pandas_frame
from kartcore.pandas_type_config import config_for_namespace, type_problem
from kartcore.task import naming


class DataFrameHelpers:
    """``make_model_target``, ``make_large_data_frame_target``, ``load_data_frame`` and the dump-time type check.

    Meant for TaskOnKart only: it relies on ``make_target``, ``label`` and the input selection there.
    """

    if TYPE_CHECKING:  # provided by TaskOnKart
        local_temporary_directory: str

        def label(self) -> str: ...
        def get_task_namespace(self) -> str | None: ...
        def make_target(self, relative_file_path: str | None, use_unique_id: bool, processor: Any) -> Target: ...
        def _select_inputs(self, target: Any) -> Any: ...
        def _load_target(self, target: Any) -> Any: ...

    def make_model_target(
        self,
        relative_file_path: str,
        save_function: Callable[[Any, str], Any],
        load_function: Callable[[str], Any],
        use_unique_id: bool = True,
    ) -> Target:
        """A zip target for a model saved as files: ``save_function(obj, path)`` and ``load_function(path)``.

        Both are given ``<scratch dir>/model.pkl``; ``save_function`` may write more files next to
        it. Everything goes into one zip written atomically; the scratch directories (under
        ``local_temporary_directory``) are removed after each dump and load. The path must end in ``.zip``.
        """
        return self._zip_target(
            relative_file_path,
            use_unique_id,
            "make_model_target",
            lambda: zip_targets.ModelArchiveFormat(save_function, load_function, self.local_temporary_directory),
        )

    def make_large_data_frame_target(
        self, relative_file_path: str | None = None, use_unique_id: bool = True, max_byte: int = 2**26
    ) -> Target:
        """A zip target for a big DataFrame, pickled in chunks of about ``max_byte`` bytes of memory each.

        It loads back with the same row order, index and dtypes. The default path is
        ``<module path>/<ClassName>.zip``.
        """
        relative = relative_file_path or os.path.splitext(naming.default_relative_path(type(self)))[0] + ".zip"
        return self._zip_target(
            relative, use_unique_id, "make_large_data_frame_target", lambda: zip_targets.FrameChunksFormat(max_byte)
        )

    def _zip_target(
        self, relative: str, use_unique_id: bool, purpose: str, make_format: Callable[[], FileFormat]
    ) -> Target:
        try:
            zip_targets.require_zip_path(relative, purpose)
            file_format = make_format()
        except KartError as exc:
            raise type(exc)(f"{self.label()}: {exc}") from None
        target = self.make_target(relative, use_unique_id, processor=file_format)
        return zip_targets.ArchiveTarget(target.path(), file_format, owner=target.owner, trust=target.trust)

    def load_data_frame(self, target: Any = None, required_columns: Any = None, drop_columns: bool = False) -> Any:
        """Load DataFrame input(s) as one frame, checking that the ``required_columns`` are there.

        ``target`` selects inputs as in ``load()``; several inputs (or a list of frames) are
        concatenated in order. An input with rows that lacks a required column raises
        :class:`~kartcore.errors.MissingColumnsError` naming the columns, this task and the input
        file. Empty input gives an empty frame that has the required columns. ``drop_columns=True``
        keeps only the required columns.
        """
        targets = flatten(self._select_inputs(target))
        sources = [(_path_of(item), self._load_target(item)) for item in targets]
        return frame_tools.combine_frames(sources, required_columns, drop_columns, owner=self.label())

    def check_pandas_types(self, obj: Any, target: Target | None = None) -> None:
        """Raise :class:`~kartcore.errors.PandasTypeError` if ``obj`` breaks this namespace's PandasTypeConfig.

        ``dump()`` calls it before writing anything; non-frames and namespaces without a config pass.
        """
        if not is_pandas_frame(obj):
            return
        config = config_for_namespace(self.get_task_namespace())
        if config is None:
            return
        problem = type_problem(config, obj)
        if problem is None:
            return
        written = f" Nothing was written to {target.path()}." if target is not None else ""
        raise PandasTypeError(f"{self.label()}: {problem}{written}")


def _path_of(target: Any) -> str:
    path = getattr(target, "path", None)
    return str(path() if callable(path) else path)
