"""The Slack notification at the end of ``run()`` (kartcore/execution/slack.py), against a Slack stand-in.

Every test runs the command line for real (luigi's scheduler and worker) and a real HTTP server on
127.0.0.1 speaking Slack's Web API (tests/kartcore/execution/slack_server.py); slack_sdk's WebClient is
pointed at it with ``[SlackConfig] base_url``. The tests check the exact requests, and that no failure
of any call changes the exit code or what the run wrote.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import luigi.configuration
import pytest

from kartcore.execution.run import run_command_line
from kartcore.execution.slack import SlackAPI
from kartcore.inspection.tree import make_tree_info
from tests.conftest import files_under
from tests.kartcore.execution.slack_server import CHANNEL_ID, FILE_ID, MESSAGE_TS, TOKEN, UPLOAD, FakeSlack, fake_slack
from tests.servers import free_port

__all__ = ["fake_slack"]  # a fixture, used by name

PIPELINE = textwrap.dedent(
    """
    import luigi
    import kartcore


    class Base(kartcore.TaskOnKart):
        task_namespace = "notify"


    class Leaf(Base):
        def run(self):
            self.dump("leaf")


    class Root(Base):
        leaf = kartcore.TaskInstanceParameter(default=Leaf())

        def run(self):
            self.dump(self.load("leaf") + " and root")


    class Broken(Base):
        def run(self):
            raise RuntimeError("broken <on> purpose & more")


    class Verbose(Base):
        def run(self):
            raise RuntimeError("x" * 50_000)


    class RootOfBroken(Base):
        broken = kartcore.TaskInstanceParameter(default=Broken())
        leaf = kartcore.TaskInstanceParameter(default=Leaf())

        def run(self):
            self.dump("never")
    """
)

CHANNEL = "kart-runs"
SLACK_LOGGER = "kartcore.execution.slack"
Run = Callable[..., int]


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The pipeline's module, imported once (importing it again would define its task names twice)."""
    directory = tmp_path_factory.mktemp("code")
    (directory / "notify_pipeline.py").write_text(PIPELINE)
    sys.path.insert(0, str(directory))
    yield directory
    sys.path.remove(str(directory))
    sys.modules.pop("notify_pipeline", None)


@pytest.fixture
def pipeline(code: Path) -> Any:
    import notify_pipeline

    return notify_pipeline


@pytest.fixture
def run(pipeline: Any, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``python main.py TASK --local-scheduler`` in this process, notifying the stand-in (with the token set)."""
    monkeypatch.setenv("SLACK_TOKEN", TOKEN)

    def run_with(task: str, *options: str, channel: str | None = CHANNEL, base_url: str | None = None) -> int:
        slack = [f"--SlackConfig-channel={channel}"] if channel else []
        slack.append(f"--SlackConfig-base-url={base_url or fake_slack.base_url}")
        return run_command_line([task, "--local-scheduler", "--no-lock", *slack, *options])

    return run_with


def slack_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SLACK_LOGGER and r.levelno >= logging.WARNING]


def write_config(tmp_path: Path, text: str) -> None:
    path = tmp_path / "luigi.cfg"
    path.write_text(textwrap.dedent(text))
    luigi.configuration.add_config_path(str(path))  # conftest restores the config paths after the test


def test_a_run_posts_its_report_with_every_task_it_ran(run: Run, pipeline: Any, fake_slack: FakeSlack, caplog) -> None:
    assert run("notify.Root") == 0
    leaf, root = pipeline.Leaf(), pipeline.Root()
    assert fake_slack.methods() == ["chat.postMessage"]  # no tree unless asked
    posted = fake_slack.one("chat.postMessage")
    assert posted.headers["authorization"] == f"Bearer {TOKEN}"
    assert posted.params["channel"] == CHANNEL
    assert posted.params["text"] == (
        "Report of notify.Root: complete\nSuccess: 2; Failure: 0; Already complete: 0\n```\n"
        f"---- Succeeded tasks ----\n{leaf.label()}\n{root.label()}\n```"
    )
    assert slack_warnings(caplog) == []
    assert root.output().load() == "leaf and root"


def test_the_tree_goes_to_the_message_thread_through_the_upload_flow(
    run: Run, pipeline: Any, fake_slack: FakeSlack
) -> None:
    assert run("notify.Leaf", channel=None) == 0  # complete before the run that notifies
    assert run("notify.Root", "--SlackConfig-send-tree-info", "--SlackConfig-to-user=@kart-bot") == 0
    root = pipeline.Root()
    tree = make_tree_info(root, details=True).encode()
    methods = ["chat.postMessage", "files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"]
    assert fake_slack.methods() == methods
    text = fake_slack.one("chat.postMessage").params["text"]
    assert text.startswith("<@kart-bot> Report of notify.Root: complete\nSuccess: 1; Failure: 0; Already complete: 1\n")
    assert f"---- Succeeded tasks ----\n{root.label()}\n---- Already complete ----\n{pipeline.Leaf().label()}" in text
    asked = fake_slack.one("files.getUploadURLExternal")
    assert asked.params == {"filename": "tree.txt", "length": str(len(tree))}
    assert fake_slack.one(UPLOAD).body == tree
    assert b"(COMPLETE) Root[" in tree and b"(COMPLETE) Leaf[" in tree
    completed = fake_slack.one("files.completeUploadExternal")
    assert completed.params["channel_id"] == CHANNEL_ID and completed.params["thread_ts"] == MESSAGE_TS
    assert json.loads(completed.params["files"]) == [{"id": FILE_ID, "title": "Dependency tree of notify.Root"}]
    for method in ("chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"):
        assert fake_slack.one(method).headers["authorization"] == f"Bearer {TOKEN}"


def assert_reports_the_broken_run(fake_slack: FakeSlack, pipeline: Any) -> None:
    """The report of notify.RootOfBroken: Broken failed (with its reason), Leaf ran, RootOfBroken never started."""
    text = fake_slack.one("chat.postMessage").params["text"]
    broken = pipeline.Broken().label()
    assert text.startswith("Report of notify.RootOfBroken: did not complete\nSuccess: 1; Failure: 1; ")
    assert f"---- Failed tasks ----\n{broken} failed: RuntimeError: broken &lt;on&gt; purpose &amp; more\n" in text
    assert f"---- Succeeded tasks ----\n{pipeline.Leaf().label()}\n```" in text
    assert pipeline.RootOfBroken().label() not in text


def test_a_failed_run_reports_the_failure_and_keeps_exit_1(run: Run, pipeline: Any, fake_slack: FakeSlack) -> None:
    assert run("notify.RootOfBroken") == 1
    assert_reports_the_broken_run(fake_slack, pipeline)


def test_a_huge_report_is_cut_below_slacks_limit(run: Run, fake_slack: FakeSlack) -> None:
    assert run("notify.Verbose") == 1
    text = fake_slack.one("chat.postMessage").params["text"]
    assert len(text) < 40_000 and text.endswith("x\n... (cut: the run's log has the rest)\n```")
    assert text.startswith("Report of notify.Verbose: did not complete\nSuccess: 0; Failure: 1;")


def test_tasks_run_by_worker_processes_are_reported(run: Run, pipeline: Any, fake_slack: FakeSlack) -> None:
    assert run("notify.Root", "--workers", "2") == 0
    text = fake_slack.one("chat.postMessage").params["text"]
    assert "Success: 2; Failure: 0; Already complete: 0" in text
    assert pipeline.Leaf().label() in text and pipeline.Root().label() in text


@pytest.fixture
def on_dask(run: Run, fake_slack: FakeSlack) -> Iterator[Run]:
    """``python main.py TASK --dask-scheduler ADDRESS`` in this process, against a real Dask scheduler and
    worker (threads of this process, which imports the pipeline's module), notifying the stand-in."""
    import distributed

    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:

        def run_with(task: str, *options: str) -> int:
            slack = [f"--SlackConfig-channel={CHANNEL}", f"--SlackConfig-base-url={fake_slack.base_url}"]
            return run_command_line([task, f"--dask-scheduler={cluster.scheduler_address}", *slack, *options])

        yield run_with


def test_a_dask_run_posts_the_report_a_luigi_run_posts(on_dask: Run, pipeline: Any, fake_slack: FakeSlack) -> None:
    assert on_dask("notify.Root") == 0
    leaf, root = pipeline.Leaf(), pipeline.Root()
    assert fake_slack.methods() == ["chat.postMessage"]
    assert fake_slack.one("chat.postMessage").params["text"] == (
        "Report of notify.Root: complete\nSuccess: 2; Failure: 0; Already complete: 0\n```\n"
        f"---- Succeeded tasks ----\n{leaf.label()}\n{root.label()}\n```"
    )
    assert root.output().load() == "leaf and root"
    fake_slack.requests.clear()
    assert on_dask("notify.Root") == 0  # nothing to run: Dask is given no task
    assert fake_slack.one("chat.postMessage").params["text"] == (
        "Report of notify.Root: complete\nSuccess: 0; Failure: 0; Already complete: 1\n```\n"
        f"---- Already complete ----\n{root.label()}\n```"
    )


def test_a_failed_dask_run_reports_the_failure_and_keeps_exit_1(
    on_dask: Run, pipeline: Any, fake_slack: FakeSlack
) -> None:
    assert on_dask("notify.RootOfBroken") == 1
    assert_reports_the_broken_run(fake_slack, pipeline)  # the worker's traceback ends in the task's own error


def test_a_bad_setting_exits_2_before_a_dask_run_starts(
    on_dask: Run, fake_slack: FakeSlack, tmp_path: Path, capsys
) -> None:
    assert on_dask("notify.Root", "--SlackConfig-base-url=ftp://slack.example/api/") == 2
    assert "[SlackConfig] base_url must be an http(s) URL" in capsys.readouterr().err
    assert fake_slack.requests == [] and not (tmp_path / "resources").exists()


#: (which call fails and how, the calls made, words of the one warning)
FAILURES = [
    ({"chat.postMessage": "500"}, ["chat.postMessage"], "(chat.postMessage at http://127.0.0.1:"),
    ({"chat.postMessage": "not_ok"}, ["chat.postMessage"], "HTTP 200, error channel_not_found"),
    ({"files.getUploadURLExternal": "500"}, ["chat.postMessage", "files.getUploadURLExternal"], "HTTP 500"),
    ({UPLOAD: "500"}, ["chat.postMessage", "files.getUploadURLExternal", UPLOAD], "HTTP Error 500"),
    (
        {"files.completeUploadExternal": "not_ok"},
        ["chat.postMessage", "files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"],
        "error channel_not_found",
    ),
]


@pytest.mark.parametrize(("fail", "calls", "words"), FAILURES)
def test_a_failed_call_costs_one_warning_and_changes_nothing(
    run: Run, fake_slack: FakeSlack, caplog, tmp_path: Path, fail: dict[str, str], calls: list[str], words: str
) -> None:
    fake_slack.fail.update(fail)
    assert run("notify.Root", "--SlackConfig-send-tree-info") == 0
    assert fake_slack.methods() == calls
    [warning] = slack_warnings(caplog)
    assert warning.startswith(f"Slack notification to '{CHANNEL}' failed (") and words in warning
    assert warning.endswith("the run's result is unchanged") and TOKEN not in caplog.text
    assert_same_files_as_without_slack(run, tmp_path)


def test_a_refused_token_costs_one_warning(run: Run, fake_slack: FakeSlack, caplog, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-revoked")
    assert run("notify.RootOfBroken") == 1  # the run's own code, whatever Slack says
    assert fake_slack.one("chat.postMessage").headers["authorization"] == "Bearer xoxb-revoked"
    [warning] = slack_warnings(caplog)
    assert "error invalid_auth" in warning and "xoxb-revoked" not in caplog.text


def test_a_server_that_is_down_costs_one_warning(run: Run, caplog, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/api/"
    assert run("notify.Root", "--SlackConfig-send-tree-info", base_url=down) == 0
    [warning] = slack_warnings(caplog)
    assert f"failed (chat.postMessage at {down}): " in warning and "Connection refused" in warning
    assert_same_files_as_without_slack(run, tmp_path)


def assert_same_files_as_without_slack(run: Run, tmp_path: Path) -> None:
    """What the run wrote is what the same run without a notification writes in another directory."""
    plain = tmp_path / "plain"
    plain.mkdir()
    os.chdir(plain)  # the autouse fixture returns to the starting directory after the test
    assert run("notify.Root", channel=None) == 0
    assert files_under(tmp_path / "resources") == files_under(plain / "resources") != []


def test_without_the_token_variable_one_warning_and_nothing_sent(
    run: Run, fake_slack: FakeSlack, caplog, monkeypatch
) -> None:
    monkeypatch.delenv("SLACK_TOKEN")
    assert run("notify.Root") == 0
    assert fake_slack.requests == []
    expected = "Slack notification is off: the environment variable SLACK_TOKEN ([SlackConfig] token_name) is not set"
    assert slack_warnings(caplog) == [expected]


def test_the_token_comes_from_the_variable_token_name_names(run: Run, fake_slack: FakeSlack, monkeypatch) -> None:
    monkeypatch.delenv("SLACK_TOKEN")
    monkeypatch.setenv("KART_SLACK", TOKEN)
    assert run("notify.Root", "--SlackConfig-token-name=KART_SLACK") == 0
    assert fake_slack.one("chat.postMessage").headers["authorization"] == f"Bearer {TOKEN}"


def test_no_channel_means_no_notification_and_no_warning(run: Run, fake_slack: FakeSlack, caplog) -> None:
    assert run("notify.Root", channel=None) == 0
    assert fake_slack.requests == [] and slack_warnings(caplog) == []


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("send_tree_info = maybe", "invalid [SlackConfig] setting"),
        ("base_url = ftp://slack.example/api/", "[SlackConfig] base_url must be an http(s) URL"),
    ],
)
def test_a_bad_setting_exits_2_before_anything_runs(
    run: Run, fake_slack: FakeSlack, tmp_path: Path, capsys, setting: str, words: str
) -> None:
    write_config(tmp_path, f"[SlackConfig]\nchannel = {CHANNEL}\n{setting}\n")
    assert run_command_line(["notify.Root", "--local-scheduler", "--no-lock"]) == 2
    assert words in capsys.readouterr().err
    assert fake_slack.requests == [] and not (tmp_path / "resources").exists()


def test_an_unknown_setting_is_named_with_its_close_match(run: Run, fake_slack: FakeSlack, tmp_path, caplog) -> None:
    write_config(tmp_path, "[SlackConfig]\nchanel = kart-runs\n")
    assert run_command_line(["notify.Root", "--local-scheduler", "--no-lock"]) == 0
    expected = "[SlackConfig] chanel is not a Slack notification setting (did you mean 'channel'?); it is ignored"
    assert slack_warnings(caplog) == [expected]
    assert fake_slack.requests == []  # the misspelt channel leaves the notification off


def test_send_snippet_posts_the_comment_and_the_content_in_its_thread(fake_slack: FakeSlack, caplog) -> None:
    api = SlackAPI(TOKEN, CHANNEL, to_user="kart-bot", base_url=fake_slack.base_url.rstrip("/"))
    api.send_snippet(comment="Report of x", title="event.txt", content="the events")
    assert fake_slack.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    assert fake_slack.one("chat.postMessage").params == {"channel": CHANNEL, "text": "<@kart-bot> Report of x"}
    assert fake_slack.one("files.getUploadURLExternal").params == {"filename": "event.txt", "length": "10"}
    assert fake_slack.one(UPLOAD).body == b"the events"
    assert json.loads(fake_slack.one("files.completeUploadExternal").params["files"])[0]["title"] == "event.txt"
    assert slack_warnings(caplog) == []


def test_an_answer_without_the_channel_id_is_one_warning_and_no_upload(fake_slack: FakeSlack, caplog) -> None:
    fake_slack.fail["chat.postMessage"] = "no_channel"
    SlackAPI(TOKEN, CHANNEL, base_url=fake_slack.base_url).send_snippet("comment", "title", "content")
    assert fake_slack.methods() == ["chat.postMessage"]
    [warning] = slack_warnings(caplog)
    assert "(chat.postMessage at " in warning and "ValueError: the answer names no channel id and message ts" in warning


def test_without_slack_sdk_one_warning_names_the_extra(fake_slack: FakeSlack, caplog, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "slack_sdk", None)  # what an environment without the extra looks like
    SlackAPI(TOKEN, CHANNEL, base_url=fake_slack.base_url).send_snippet("comment", "title", "content")
    expected = "Slack notification not sent: slack_sdk is not installed (pip install 'gokart-core[slack]')"
    assert slack_warnings(caplog) == [expected] and fake_slack.requests == []


@pytest.mark.slow
def test_python_main_py_notifies_and_never_shows_the_token(code: Path, fake_slack: FakeSlack, tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import kartcore\nimport notify_pipeline  # noqa: F401\n\nkartcore.run()\n")
    env = {**os.environ, "PYTHONPATH": str(code), "SLACK_TOKEN": TOKEN}
    slack = [f"--SlackConfig-channel={CHANNEL}", f"--SlackConfig-base-url={fake_slack.base_url}"]
    command = [sys.executable, "main.py", "notify.Root", "--local-scheduler", "--SlackConfig-send-tree-info", *slack]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert fake_slack.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    assert TOKEN not in result.stdout + result.stderr  # luigi logs at DEBUG here, slack_sdk's requests included
    fake_slack.requests.clear()
    fake_slack.fail["chat.postMessage"] = "500"
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0 and again.stderr.count("Slack notification to") == 1, again.stderr
