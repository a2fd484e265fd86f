"""Whether the process that wrote a ``.kart-tmp-`` file may still be using it.

A running task keeps its outputs as temp files until ``run()`` returned (see
:mod:`kartcore.task.staging`), which can be hours for a task that dumps early. A cleaner that deletes
them makes that build fail at publish time, so ``kart clean`` removes a temp file only once its
writer is known to be gone.

The temp name carries the writer's host id and pid (:func:`kartcore.io.atomic.temp_writer`). On the
same host (and pid namespace) the pid is asked directly: no such process, or a zombie, means gone.
A pid is reused once its process is gone, so on Linux the process holding it now must also have
started before the file was last written (a writer is alive while it writes); one started later
is somebody else. Where that cannot be decided - another host sharing the file system, a name from
before the writer was recorded in it, an OS without a usable ``kill(pid, 0)`` - the file counts as
in use until it is :data:`UNKNOWN_WRITER_GRACE` seconds old.
"""

from __future__ import annotations

import os
import time

from kartcore.io.atomic import host_id, temp_writer

#: How long a temp file whose writer cannot be checked is assumed to belong to a running build.
UNKNOWN_WRITER_GRACE = 24 * 3600
#: Slack for the coarse clocks compared (boot time in whole seconds, file times).
_CLOCK_SLACK = 2.0


def may_be_in_use(path: str, here: str | None = None, now: float | None = None) -> bool:
    """True unless the temp file's writer is known to be gone (``here``: this host's id, computed if None)."""
    try:
        written = os.lstat(path).st_mtime
    except FileNotFoundError:
        return False
    writer = temp_writer(path)
    if writer is not None and writer[0] == (here or host_id()):
        alive = process_alive(writer[1], written)
        if alive is not None:
            return alive
    return (time.time() if now is None else now) - written < UNKNOWN_WRITER_GRACE


def process_alive(pid: int, written: float) -> bool | None:
    """Whether process ``pid`` of this host, which wrote a file at time ``written``, still runs (None: cannot tell)."""
    if pid == os.getpid():
        return True
    if os.name == "nt" or pid <= 0:
        return None  # Windows' os.kill(pid, 0) would send Ctrl+C; pid 0 and below name process groups
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, it belongs to another user
    except OSError:
        return None
    state, started = _linux_process(pid)
    if state == "Z":
        return False  # exited, waiting for its parent to collect it
    return started is None or started <= written + _CLOCK_SLACK


def _linux_process(pid: int) -> tuple[str | None, float | None]:
    """(state letter, start time in seconds since the epoch) from ``/proc``; Nones elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            fields = file.read().rpartition(")")[2].split()
        with open("/proc/stat", encoding="ascii", errors="replace") as file:
            boot = next(float(line.split()[1]) for line in file if line.startswith("btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None, None
