"""A small DAG with a large output, run in a child process by the reliability tests.

``python -c "from tests.reliability.dag import main; main()" WORKSPACE [GO_FILE]`` builds
:class:`Report` into ``WORKSPACE`` and prints ``READY`` (imports done) and ``DONE`` (build returned).
With ``GO_FILE``, the build starts only once that file exists (to start several builds at once).
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time

import luigi

import kartcore

BIG_SIZE = 40 * 1024 * 1024


def big_value() -> bytes:
    """The large output: deterministic bytes, so every test knows what a correct file holds."""
    return random.Random(1234).randbytes(BIG_SIZE)


def digest_value() -> str:
    return hashlib.sha256(big_value()).hexdigest()


def report_value() -> dict[str, object]:
    return {"size": BIG_SIZE, "digest": digest_value()}


class Big(kartcore.TaskOnKart[bytes]):
    """Writes ~40 MB."""

    def run(self) -> None:
        self.dump(big_value())


class Digest(kartcore.TaskOnKart[str]):
    def requires(self) -> Big:
        return Big(workspace_directory=self.workspace_directory)

    def run(self) -> None:
        self.dump(hashlib.sha256(self.load()).hexdigest())


class Report(kartcore.TaskOnKart[dict]):
    def requires(self) -> dict[str, luigi.Task]:
        return {
            "big": Big(workspace_directory=self.workspace_directory),
            "digest": Digest(workspace_directory=self.workspace_directory),
        }

    def run(self) -> None:
        self.dump({"size": len(self.load("big")), "digest": self.load("digest")})


def tasks(workspace: str) -> dict[str, kartcore.TaskOnKart]:
    """Every task of the DAG with its expected output value (as a lazy function)."""
    return {
        "Big": Big(workspace_directory=workspace),
        "Digest": Digest(workspace_directory=workspace),
        "Report": Report(workspace_directory=workspace),
    }


EXPECTED = {"Big": big_value, "Digest": digest_value, "Report": report_value}


def main() -> None:
    workspace = sys.argv[1]
    print("READY", flush=True)
    if len(sys.argv) > 2:
        while not os.path.exists(sys.argv[2]):
            time.sleep(0.001)
    kartcore.build(Report(workspace_directory=workspace), return_value=False)
    print("DONE", flush=True)
