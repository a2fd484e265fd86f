"""``gokart.slack``: kartcore's end-of-run Slack notification under gokart's names.

``SlackConfig`` is the ``[SlackConfig]`` section ``kartcore.run()`` reads; gokart's three error names are
kartcore's one :class:`~kartcore.errors.SlackError` (a failed send is logged, never raised, in both).
"""

from gokart.slack.event_aggregator import EventAggregator
from gokart.slack.slack_api import ChannelListNotLoadedError, ChannelNotFoundError, FileNotUploadedError, SlackAPI
from gokart.slack.slack_config import SlackConfig

__all__ = [
    "ChannelListNotLoadedError",
    "ChannelNotFoundError",
    "EventAggregator",
    "FileNotUploadedError",
    "SlackAPI",
    "SlackConfig",
]
