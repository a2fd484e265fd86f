"""Unknown config entries (issue 12, finding 18): typos in task sections and sections that name nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import luigi
import pytest

import kartcore
from kartcore.config_check import UnknownConfigEntry, find_unknown_entries, warn_unknown_entries
from kartcore.execution.run import run_command_line


class CheckTrain(kartcore.TaskOnKart):
    rate = luigi.FloatParameter(default=0.1)
    learning_rate = luigi.FloatParameter(default=0.1)

    def run(self) -> None:
        self.dump(self.rate)


class CheckTrainSub(kartcore.TaskOnKart):
    """Family ``CheckTrain.Sub``: a namespace that is also a task's family."""

    task_namespace = "CheckTrain"
    depth = luigi.IntParameter(default=1)


CheckTrainSub.__name__ = "Sub"


class CheckSettings(luigi.Config):
    threshold = luigi.IntParameter(default=1)


TYPO_SECTION = (
    "config section [CheckTrian] names no task or config class imported so far (did you mean 'CheckTrain'?); "
    "it is ignored"
)


def _config(tmp_path: Path, text: str, name: str = "param.ini") -> None:
    path = tmp_path / name
    path.write_text(text)
    kartcore.add_config(str(path))


def _entries() -> set[tuple[str, str | None, str | None]]:
    return {(entry.section, entry.key, entry.suggestion) for entry in find_unknown_entries()}


def test_a_typo_in_the_shared_section_is_found_with_the_close_match(tmp_path: Path) -> None:
    _config(tmp_path, "[TaskOnKart]\nworkspace_dir = ./elsewhere\nrate = 0.5\nlearning-rate = 0.2\n")
    # rate and learning-rate are parameters of a TaskOnKart class, which [TaskOnKart] values reach
    assert _entries() == {("TaskOnKart", "workspace_dir", "workspace_directory")}
    (entry,) = find_unknown_entries()
    assert entry.message == (
        "config section [TaskOnKart] has no parameter 'workspace_dir' (did you mean 'workspace_directory'?); "
        "it is ignored"
    )


def test_unknown_sections_and_keys_of_task_sections(tmp_path: Path) -> None:
    _config(tmp_path, "[CheckTrian]\nrate = 1\n[CheckTrain]\nrat = 2\nrate = 3\n[NothingLikeIt]\nx = 1\n")
    assert _entries() == {
        ("CheckTrian", None, "CheckTrain"),
        ("CheckTrain", "rat", "rate"),
        ("NothingLikeIt", None, None),
    }
    messages = {entry.message for entry in find_unknown_entries()}
    assert TYPO_SECTION in messages
    assert "config section [NothingLikeIt] names no task or config class imported so far; it is ignored" in messages


def test_luigi_sections_config_classes_and_defaults_are_not_reported(tmp_path: Path) -> None:
    _config(
        tmp_path,
        "[DEFAULT]\nshared = 1\n[core]\nlogging_conf_file = x\n[worker]\nkeep_alive = true\n[scheduler]\nx = 1\n"
        "[retcode]\nalready_running = 3\n[logging]\nversion = 1\n[resources]\ngpu = 1\n[hdfs]\nclient = x\n"
        "[CheckSettings]\nthreshold = 2\nnot_a_parameter = 3\n[CheckTrain]\nrate = 1\n",
    )
    assert _entries() == set()


def test_a_toml_sub_table_that_meant_a_namespaced_task_says_how_to_write_it(tmp_path: Path) -> None:
    _config(tmp_path, "[CheckTrain]\nrate = 0.5\n\n[CheckTrain.Sub]\ndepth = 3\n", "param.toml")
    (entry,) = find_unknown_entries()
    assert entry == UnknownConfigEntry(
        "CheckTrain",
        "Sub",
        None,
        '; to configure task CheckTrain.Sub from TOML, write its header with quotes: ["CheckTrain.Sub"]',
    )
    _config(tmp_path, '["CheckTrain.Sub"]\ndepth = 3\n', "fixed.toml")
    assert CheckTrainSub().depth == 3


def test_build_warns_once_through_the_kartcore_logger(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _config(tmp_path, "[TaskOnKart]\nworkspace_dir = ./elsewhere\n")
    with caplog.at_level(logging.WARNING, logger="kartcore"):
        assert kartcore.build(CheckTrain(), reset_register=False) == 0.1
    warned = [record for record in caplog.records if "workspace_dir" in record.getMessage()]
    assert len(warned) == 1 and warned[0].name.startswith("kartcore") and warned[0].levelno == logging.WARNING
    assert "did you mean 'workspace_directory'" in warned[0].getMessage()


def test_run_warns_too(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _config(tmp_path, "[CheckTrian]\nrate = 1\n")
    with caplog.at_level(logging.WARNING, logger="kartcore"):
        assert run_command_line(["CheckTrain", "--local-scheduler", "--no-lock"]) == 0
    assert [record.getMessage() for record in caplog.records if "CheckTrian" in record.getMessage()] == [TYPO_SECTION]


def test_a_process_does_not_repeat_a_warning_for_the_same_configuration(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _config(tmp_path, "[CheckTrian]\nrate = 1\n")
    with caplog.at_level(logging.WARNING, logger="kartcore"):
        assert len(warn_unknown_entries()) == len(warn_unknown_entries()) == 1
    assert len([record for record in caplog.records if "CheckTrian" in record.getMessage()]) == 1
