"""``gokart.slack.slack_config``: the ``[SlackConfig]`` section kartcore reads."""

from kartcore.execution.slack import SlackConfig

__all__ = ["SlackConfig"]
