"""``--dask-scheduler ADDRESS`` and ``[kartcore] dask_scheduler``: the command line's way onto a Dask cluster.

The option is a luigi config class, so luigi's own parser knows ``--dask-scheduler`` and reads the
``[kartcore]`` section of the config files (``conf/param.ini``), as it does ``[core]`` for
``--scheduler-host``. This module imports no Dask: ``import kartcore`` stays cheap, and a bad command line
is refused even where Dask is not installed.

Which scheduler runs the DAG: ``--dask-scheduler`` together with luigi's ``--local-scheduler`` or
``--scheduler-host/--scheduler-port/--scheduler-url`` on one command line is refused (exit 2: pick one);
a ``dask_scheduler`` from a config file applies unless the command line asks for one of luigi's.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import luigi
from luigi.cmdline_parser import CmdlineParser

from kartcore.errors import BuildError, ConfigError, SchedulerUnreachableError
from kartcore.execution import interruption

if TYPE_CHECKING:
    from kartcore.execution.slack import Notifier

#: luigi's options that choose its own scheduler: (argparse destination, flag).
LUIGI_SCHEDULER_FLAGS = (
    ("core_local_scheduler", "--local-scheduler"),
    ("core_scheduler_host", "--scheduler-host"),
    ("core_scheduler_port", "--scheduler-port"),
    ("core_scheduler_url", "--scheduler-url"),
)


class KartcoreOptions(luigi.Config):
    """kartcore's own command-line options, read like luigi's ``[core]`` ones (flag without a prefix)."""

    use_cmdline_section = False
    dask_scheduler = luigi.Parameter(
        default="",
        description="Run the DAG on the Dask scheduler at this address (tcp://host:8786); needs gokart-core[dask]",
    )

    @classmethod
    def get_task_family(cls) -> str:
        """The config section is ``[kartcore]``."""
        return "kartcore"


def exit_code_on_dask(parser: CmdlineParser, root: luigi.Task, notifier: Notifier | None = None) -> int | None:
    """None when the command line does not choose Dask; otherwise run ``root``'s DAG there and return the exit code.

    With a ``notifier`` ([SlackConfig]), a run that started reports its outcome, as a run on luigi does.
    """
    command = importlib.import_module("kartcore.execution.run")  # it imports this module: exit codes taken lazily

    given = getattr(parser.known_args, "kartcore_dask_scheduler", None)
    luigi_flags = [flag for dest, flag in LUIGI_SCHEDULER_FLAGS if getattr(parser.known_args, dest, None)]
    if given and luigi_flags:
        print(
            f"kartcore: --dask-scheduler and {'/'.join(luigi_flags)} choose two different schedulers; pick one",
            file=sys.stderr,
        )
        return command.EXIT_USAGE
    address = given or ("" if luigi_flags else KartcoreOptions().dask_scheduler)
    if not address:
        return None
    from kartcore.execution.dask_executor import run_on_dask
    from kartcore.execution.dask_worker import task_label
    from kartcore.execution.run_report import EventAggregator

    events = EventAggregator()
    try:
        with interruption.stopping_cleanly():  # SIGTERM as Ctrl-C: the driver cancels what has not started
            done = run_on_dask(root, address, events)
    except interruption.Interrupted as exc:
        print(
            f"kartcore: {exc}: the tasks Dask had not started were cancelled; a task already running on a worker "
            "finishes there and publishes whole",
            file=sys.stderr,
        )
        return exc.exit_code
    except ConfigError as exc:
        print(f"kartcore: {exc}", file=sys.stderr)
        return command.EXIT_USAGE
    except SchedulerUnreachableError as exc:
        print(f"kartcore: {exc}", file=sys.stderr)
        return command.EXIT_UNREACHABLE
    except BuildError as exc:
        details = [f"--- {task_label(failure.task)}\n{failure.traceback.rstrip()}" for failure in exc.failures]
        print("\n".join([f"kartcore: {exc}", *details]), file=sys.stderr)
        if notifier is not None:  # logs a failed send, never raises: the exit code stays the run's
            notifier.send(root, events, complete=False)
        return command.EXIT_FAILED
    print(
        f"kartcore: {root.get_task_family()} is complete; Dask ({address}) was given {done.submitted} tasks, "
        f"{done.complete} found complete were not submitted",
        file=sys.stderr,
    )
    if notifier is not None:
        notifier.send(root, events, complete=True)
    return command.EXIT_OK
