"""``gokart.slack.slack_api``: kartcore's Slack client (chat.postMessage and the current file upload flow)."""

import contextlib

from kartcore.errors import SlackError
from kartcore.execution.slack import SlackAPI

with contextlib.suppress(ImportError):  # gokart-core[slack]; kartcore imports it when it sends
    import slack_sdk  # noqa: F401  (gokart's module has it: tests patch gokart.slack.slack_api.slack_sdk.WebClient)

ChannelListNotLoadedError = ChannelNotFoundError = FileNotUploadedError = SlackError

__all__ = ["ChannelListNotLoadedError", "ChannelNotFoundError", "FileNotUploadedError", "SlackAPI"]
