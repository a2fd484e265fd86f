"""``gokart.run``: the command line entry point, kartcore's (the package attribute ``gokart.run`` is the function).

``_try_to_send_event_summary_to_slack`` is gokart's way of posting a run's events (and the tree, with
``[SlackConfig] send_tree_info``) as one snippet, for code that calls it with its own Slack client;
``kartcore.run()`` sends its own summary (kartcore.execution.slack).
"""

from __future__ import annotations

import os
from typing import Any

from luigi.cmdline_parser import CmdlineParser

from kartcore import run

__all__ = ["run"]


def _try_to_send_event_summary_to_slack(slack_api: Any, event_aggregator: Any, cmdline_args: list[str]) -> None:
    """Post the events of the task ``cmdline_args`` names through ``slack_api`` (nothing when it is None)."""
    if slack_api is None:
        return
    import gokart  # the package's names at call time: tests and users may patch them
    import gokart.slack

    with CmdlineParser.global_instance(cmdline_args) as parser:
        task = parser.get_task_obj()
        if gokart.slack.SlackConfig().send_tree_info:
            tree = gokart.make_tree_info(task, details=True)
        else:
            tree = "Please add SlackConfig.send_tree_info to include tree-info"
    sections = ["===== Event List ====", event_aggregator.get_event_list(), os.linesep, "==== Tree Info ====", tree]
    slack_api.send_snippet(
        comment=f"Report of {type(task).__name__}{os.linesep}{event_aggregator.get_summary()}",
        title="event.txt",
        content=os.linesep.join(sections),
    )
