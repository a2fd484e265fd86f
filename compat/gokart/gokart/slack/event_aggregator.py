"""``gokart.slack.event_aggregator``: kartcore's record of what a run did, task by task."""

from kartcore.execution.run_report import EventAggregator

__all__ = ["EventAggregator"]
