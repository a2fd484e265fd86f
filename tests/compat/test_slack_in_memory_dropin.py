"""``gokart.slack`` and ``gokart.in_memory`` from the drop-in: gokart 1.12.2's names, kartcore's objects.

Run in a subprocess where ``gokart`` is the drop-in (this venv also holds the real gokart).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from tests.compat.test_dropin import DROPIN, run_python

SLACK = textwrap.dedent(
    """
    import importlib
    import gokart.slack
    from gokart.slack import (
        ChannelListNotLoadedError, ChannelNotFoundError, EventAggregator, FileNotUploadedError, SlackAPI, SlackConfig,
    )
    from kartcore.errors import SlackError
    from kartcore.execution import run_report, slack

    assert SlackConfig is slack.SlackConfig and SlackAPI is slack.SlackAPI
    assert EventAggregator is run_report.EventAggregator
    assert ChannelListNotLoadedError is ChannelNotFoundError is FileNotUploadedError is SlackError
    assert issubclass(SlackError, RuntimeError)  # gokart's three are RuntimeErrors
    assert sorted(gokart.slack.__all__) == sorted([
        "ChannelListNotLoadedError", "ChannelNotFoundError", "EventAggregator", "FileNotUploadedError", "SlackAPI",
        "SlackConfig",
    ])
    for name in ("slack_api", "slack_config", "event_aggregator"):
        importlib.import_module("gokart.slack." + name)
    from gokart.slack.slack_config import SlackConfig as Config
    config = Config()
    assert (config.token_name, config.channel, config.to_user, config.send_tree_info) == ("SLACK_TOKEN", "", "", False)
    events = EventAggregator()
    assert events.get_event_list() == "Tasks were not executed."
    assert events.get_summary().startswith("Success: 0; Failure: 0")
    print("ok")
    """
)

IN_MEMORY = textwrap.dedent(
    """
    import os
    from types import SimpleNamespace
    import gokart
    from gokart.in_memory import InMemoryCacheRepository, InMemoryTarget, make_in_memory_target
    from gokart.in_memory.repository import InMemoryCacheRepository as Repository
    from gokart.in_memory.target import make_in_memory_target as make
    from kartcore.io import in_memory

    assert InMemoryCacheRepository is Repository is in_memory.InMemoryRepository
    assert InMemoryTarget is in_memory.InMemoryTarget
    assert make_in_memory_target is make is in_memory.make_in_memory_target


    class Cheap(gokart.TaskOnKart):
        def output(self):
            no_lock = SimpleNamespace(should_task_lock=False)  # gokart passes its TaskLockParams here
            return make_in_memory_target(self.make_target().path(), no_lock)

        def run(self):
            self.dump([1, 2, 3])


    class Sum(gokart.TaskOnKart):
        cheap = gokart.TaskInstanceParameter(default=Cheap())

        def run(self):
            self.dump(sum(self.load("cheap")))


    assert gokart.build(Sum()) == 6
    assert InMemoryCacheRepository().get_value(Cheap().make_target().path()) == [1, 2, 3]
    assert sorted(os.listdir("resources/__main__")) == ["Sum_" + Sum().make_unique_id() + ".pkl"]  # Cheap: no file
    print("ok")
    """
)


def test_gokart_slack_serves_kartcores_notification(tmp_path: Path) -> None:
    result = run_python(sys.executable, SLACK, tmp_path, str(DROPIN))
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_gokart_in_memory_serves_kartcores_targets(tmp_path: Path) -> None:
    result = run_python(sys.executable, IN_MEMORY, tmp_path, str(DROPIN))
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
