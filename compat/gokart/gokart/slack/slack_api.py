"""``gokart.slack.slack_api``: kartcore's Slack client (chat.postMessage and the current file upload flow)."""

from kartcore.errors import SlackError
from kartcore.execution.slack import SlackAPI

ChannelListNotLoadedError = ChannelNotFoundError = FileNotUploadedError = SlackError

__all__ = ["ChannelListNotLoadedError", "ChannelNotFoundError", "FileNotUploadedError", "SlackAPI"]
