"""A Slack message at the end of ``run()``: what succeeded, failed or was complete already, and the tree.

Configured as gokart's ``[SlackConfig]`` (``token_name``: the environment variable holding the token,
``channel``, ``to_user``, ``send_tree_info``), plus ``base_url`` for a Slack-compatible server (tests,
proxies). On when ``channel`` is set; a channel without the token variable logs one warning and sends
nothing. A notification never changes the run: a Slack that cannot be reached, answers with an HTTP
error or ``ok: false``, or refuses the token costs one warning, never an exception or another exit code.

Why this way: the summary goes out as a ``chat.postMessage`` (which also tells us the channel's id, so no
``channels:read`` scope is needed), and the tree as a file in that message's thread through Slack's
current upload flow (``files.getUploadURLExternal``, the upload, ``files.completeUploadExternal``, as
slack_sdk's ``files_upload_v2`` does it; ``files.upload`` was retired). slack_sdk is imported only when a
message is sent (extra ``gokart-core[slack]``).
"""

from __future__ import annotations

import difflib
import logging
import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

import luigi
import luigi.configuration

from kartcore.errors import SlackError, UsageError
from kartcore.execution.run_report import EventAggregator

SECTION = "SlackConfig"
SLACK_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 30
TREE_FILENAME = "tree.txt"
#: The task listing is cut here, so the whole message stays under Slack's 40,000 characters.
MAX_LISTING_CHARS = 30_000

logger = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()


class SlackConfig(luigi.Config):
    """``[SlackConfig]``: where the end-of-run notification goes (off while ``channel`` is empty)."""

    token_name = luigi.Parameter(default="SLACK_TOKEN", description="Environment variable that holds the token.")
    channel = luigi.Parameter(default="", significant=False, description="Channel to notify (name or id).")
    to_user = luigi.Parameter(default="", significant=False, description="User mentioned in the message.")
    send_tree_info = luigi.BoolParameter(
        default=False, significant=False, description="Also send the dependency tree (slow for large DAGs)."
    )
    base_url = luigi.Parameter(
        default=SLACK_API_URL, significant=False, description="Slack Web API base URL (a compatible server)."
    )


class SlackAPI:
    """Sends to one channel through slack_sdk's WebClient; every method logs one warning instead of raising."""

    def __init__(self, token: str, channel: str, to_user: str = "", base_url: str = SLACK_API_URL) -> None:
        self.channel = channel
        self.to_user = to_user.lstrip("@")
        self._token = token
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    def send_snippet(self, comment: str, title: str, content: str) -> None:
        """Post ``comment``, then ``content`` as a text file named ``title`` in its thread (gokart's call)."""
        posted = self.post_message(comment)
        if posted is not None:
            self.upload_text(content, title, title, *posted)

    def post_message(self, text: str) -> tuple[str, str] | None:
        """Post ``text`` (mentioning ``to_user``); the channel id and message ts, or None after a warning."""
        mention = f"<@{self.to_user}> " if self.to_user else ""

        def post(client: Any) -> tuple[str, str]:
            response = client.chat_postMessage(channel=self.channel, text=mention + text)
            channel_id, ts = response.get("channel"), response.get("ts")  # where the thread (and the tree) goes
            if not channel_id or not ts:
                raise ValueError("the answer names no channel id and message ts")
            return str(channel_id), str(ts)

        try:
            return self._call("chat.postMessage", post)
        except SlackError as exc:
            logger.warning("%s", exc)
            return None

    def upload_text(self, content: str, filename: str, title: str, channel_id: str, thread_ts: str) -> bool:
        """Upload ``content`` as a file in the thread of ``thread_ts``; False after a warning."""

        def upload(client: Any) -> Any:
            return client.files_upload_v2(
                channel=channel_id,
                thread_ts=thread_ts,
                content=content,
                filename=filename,
                title=title,
                request_file_info=False,  # older slack_sdk would also call files.info
            )

        try:
            self._call(f"upload of {filename}", upload)
            return True
        except SlackError as exc:
            logger.warning("%s", exc)
            return False

    def _call(self, what: str, call: Any) -> Any:
        """``call(client)``, any failure turned into one :class:`SlackError` line (never the token)."""
        try:
            import slack_sdk  # the extra gokart-core[slack]; only a configured notification needs it
        except ImportError:
            raise SlackError(
                "Slack notification not sent: slack_sdk is not installed (pip install 'gokart-core[slack]')"
            ) from None
        client = slack_sdk.WebClient(token=self._token, base_url=self._base_url, timeout=TIMEOUT_SECONDS)
        try:
            return call(client)  # slack_sdk raises SlackApiError for an answer with ok: false
        except Exception as exc:
            raise SlackError(
                f"Slack notification to {self.channel!r} failed ({what} at {self._base_url}): {_reason(exc)}; "
                "the run's result is unchanged"
            ) from exc


@dataclass(frozen=True)
class Notifier:
    """The notification a run sends when it ends."""

    api: SlackAPI
    send_tree_info: bool

    def send(self, root: luigi.Task, events: EventAggregator, complete: bool) -> None:
        """Post the report; with ``send_tree_info``, the tree in its thread. Logs, never raises."""
        try:
            posted = self.api.post_message(report_text(root, events, complete))
            if posted is None or not self.send_tree_info:
                return
            from kartcore.inspection.tree import make_tree_info

            tree = make_tree_info(root, details=True)
            self.api.upload_text(tree, TREE_FILENAME, f"Dependency tree of {root.get_task_family()}", *posted)
        except Exception as exc:  # e.g. a task's output() raising while the tree is drawn, after the run
            logger.warning("Slack notification incomplete: %s; the run's result is unchanged", _reason(exc))


def configured_notifier() -> Notifier | None:
    """``[SlackConfig]`` as it stands (config files and ``--SlackConfig-*``), read before the run.

    None when no channel is set, or (after one warning) when the token variable is unset. A value that
    cannot work (``send_tree_info = maybe``, a ``base_url`` that is not http(s)) raises :class:`UsageError`.
    """
    _warn_unknown_keys()
    try:
        config = SlackConfig()
    except Exception as exc:
        cause = f": {exc.__cause__}" if exc.__cause__ is not None else ""
        raise UsageError(f"invalid [SlackConfig] setting: {str(exc).split(': ', 1)[-1]}{cause}") from None
    if not config.channel:
        return None
    url = urllib.parse.urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise UsageError(
            f"[SlackConfig] base_url must be an http(s) URL such as {SLACK_API_URL}, got {config.base_url!r}"
        )
    token = os.environ.get(config.token_name, "")
    if not token:
        logger.warning(
            "Slack notification is off: the environment variable %s ([SlackConfig] token_name) is not set",
            config.token_name,
        )
        return None
    return Notifier(SlackAPI(token, config.channel, config.to_user, config.base_url), bool(config.send_tree_info))


def _warn_unknown_keys() -> None:
    """One warning per ``[SlackConfig]`` key that is no setting (``chanel``): it would leave Slack silently off.

    (The general check, :mod:`kartcore.config_check`, leaves the keys of config classes alone.)
    """
    config = luigi.configuration.get_config()
    if not config.has_section(SECTION):
        return
    known = [name for name, _ in SlackConfig.get_params()]
    defaults = set(config.defaults())
    for key in config.options(SECTION):
        name = key.replace("-", "_")
        if key in defaults or name in known or (SECTION, key) in _warned:
            continue
        _warned.add((SECTION, key))
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (settings: {', '.join(known)})"
        logger.warning("[%s] %s is not a Slack notification setting%s; it is ignored", SECTION, key, hint)


def report_text(root: luigi.Task, events: EventAggregator, complete: bool) -> str:
    """``Report of pkg.Task: complete``, the counts, then each category's tasks in a code block."""
    outcome = "complete" if complete else "did not complete"
    lines = [f"Report of {root.get_task_family()}: {outcome}", events.get_summary()]
    listing = _escape(events.get_event_list())
    if len(listing) > MAX_LISTING_CHARS:  # Slack refuses a message over 40,000 characters (msg_too_long)
        listing = listing[:MAX_LISTING_CHARS] + "\n... (cut: the run's log has the rest)"
    return _escape("\n".join(lines)) + "\n```\n" + listing + "\n```"


def _escape(text: str) -> str:
    """Slack's three control characters, so task names and errors show as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reason(exc: BaseException) -> str:
    """One line: Slack's own error (``invalid_auth``) and HTTP status when it answered, else the exception."""
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "status_code"):
        error = response.get("error") if isinstance(getattr(response, "data", None), dict) else None
        return f"HTTP {response.status_code}, error {error or 'not given'}"
    return " ".join(f"{type(exc).__name__}: {exc}".split())
