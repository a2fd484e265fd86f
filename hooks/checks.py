"""The template's hooks: the two entry points the hook shims call, over one module per job.

cookiecutter runs hooks with its own interpreter from a temporary copy, so the hook files are thin
shims that put this directory on ``sys.path`` and call :func:`pre_gen` or :func:`post_gen`. Every
module here is standard library only; tests import them directly. None of them reaches the generated
project (they sit outside the rendered project directory, and the bundled runtime is the kartcore package alone).

* :func:`pre_gen` refuses bad answers before any file is written (hook_answers).
* :func:`post_gen` bundles the runtime into the project (hook_bundle), drops what the answers did not
  select, records the answers for later updates (hook_record: ``.cruft.json``, unless cruft is the caller)
  and verifies the project: no unrendered Jinja, every Python file compiles, TOML/INI/YAML parse
  (hook_files). With ``verify=yes`` the metadata must pass the package manager's offline check (hook_metadata),
  the lock file is written (hook_lock), the project installs from it into its ``.venv`` and the example
  pipeline and its tests run there (hook_install); without a lock, they run with the hook's interpreter in a
  throwaway workspace (hook_verify).
  It is idempotent, because cruft re-runs it. hook_common holds the shared error and constants.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hook_answers import validate
from hook_bundle import bundle_runtime
from hook_common import BUNDLED, VerificationError
from hook_files import check_files
from hook_install import SKIPPED, install_and_verify
from hook_lock import lock_project
from hook_metadata import check_metadata
from hook_record import cruft_record, made_by_cruft
from hook_verify import run_pipeline_and_tests


def pre_gen(answers: Mapping[str, Any]) -> int:
    """The pre_gen_project hook: print the bad answers and return 1, or return 0."""
    errors = validate(answers)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


def remove_unselected(project_dir: Path, answers: Mapping[str, Any]) -> None:
    """Drop files the answers did not ask for (no LICENSE for a proprietary project)."""
    if answers.get("license") == "Proprietary":
        (project_dir / "LICENSE").unlink(missing_ok=True)


def verify(project_dir: Path, context: Mapping[str, Any]) -> None:
    """Check the metadata offline, lock, then install from the lock and run the example and the tests there.

    Without a lock (no package manager, no index) or a Python the project accepts, the example and the
    tests run with the hook's interpreter instead. cruft renders into temporary copies, so under cruft
    the project keeps its own lock and environment and only the interpreter run is done.
    """
    print(check_metadata(project_dir, context))
    installed = None
    if not made_by_cruft(context):
        print(lock_project(project_dir, context))
        installed = install_and_verify(project_dir, context)
    if installed is not None:
        print(installed)
    if installed is None or installed.startswith(SKIPPED):
        print(run_pipeline_and_tests(project_dir, context))


def post_gen(context: Mapping[str, Any], project_dir: Path, template_root: Path) -> int:
    """The post_gen_project hook: bundle, tidy, record, verify; print the reason and return 1 on failure."""
    try:
        if context.get("kartcore_source") == BUNDLED:
            bundle_runtime(project_dir, template_root)
        remove_unselected(project_dir, context)
        if not made_by_cruft(context):  # cruft writes its own record
            record = cruft_record(context, project_dir, template_root)
            (project_dir / ".cruft.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        check_files(project_dir, context)
        if context.get("verify") == "yes":
            verify(project_dir, context)
    except VerificationError as exc:
        print(f"ERROR: the generated project failed verification: {exc}", file=sys.stderr)
        return 1
    return 0
