"""``kart check`` (kartcore/cli/check.py, kartcore/inspection/check.py): unknown config keys and sections."""

from __future__ import annotations

from pathlib import Path

from tests.kartcore.cli.conftest import PACKAGE, kart
from tests.kartcore.cli.test_plan_command import snapshot


def test_the_toy_project_config_is_clean(project: Path) -> None:
    result = kart("check", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.output == "conf/param.ini: every section names a task and every key one of its parameters\n"


def test_every_unknown_key_and_section_with_its_line_and_closest_match(project: Path) -> None:
    (project / "conf" / "param.ini").write_text(
        "[TaskOnKart]\n"
        "workspace_dir = ./resources/\n"
        "\n"
        f"[{PACKAGE}.Split]\n"
        "ratio = 0.6\n"
        "ration = 0.7\n"
        "\n"
        f"[{PACKAGE}.Spilt]\n"
        "ratio = 0.2\n"
        "\n"
        "[core]\n"
        "autoload_range = false\n",
        encoding="utf-8",
    )
    before = snapshot(project)
    result = kart("check", cwd=project)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "conf/param.ini:2: [TaskOnKart] has no parameter 'workspace_dir' (did you mean 'workspace_directory'?); "
        "it is ignored",
        f"conf/param.ini:6: [{PACKAGE}.Split] has no parameter 'ration' (did you mean 'ratio'?); it is ignored",
        f"conf/param.ini:8: [{PACKAGE}.Spilt] names no task or config class imported so far "
        f"(did you mean '{PACKAGE}.Split'?); it is ignored",
        "3 problems in conf/param.ini",
    ]
    assert snapshot(project) == before


def test_toml_files_main_py_adds_are_checked_too(project: Path) -> None:
    main = project / "main.py"
    main.write_text(
        main.read_text().replace(
            'kartcore.add_config("./conf/param.ini")',
            'kartcore.add_config("./conf/param.ini")\n    kartcore.add_config("conf/extra.toml")',
        ),
        encoding="utf-8",
    )
    (project / "conf" / "extra.toml").write_text(
        f'["{PACKAGE}.Load"]\nsize = 3\nsise = 4\n\n["{PACKAGE}.Train"]\nepochs = 2\n', encoding="utf-8"
    )
    result = kart("check", cwd=project)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"conf/extra.toml:3: [{PACKAGE}.Load] has no parameter 'sise' (did you mean 'size'?); it is ignored",
        f"conf/extra.toml:6: [{PACKAGE}.Train] has no parameter 'epochs'; it is ignored",
        "2 problems in conf/param.ini, conf/extra.toml",
    ]


def test_a_config_file_that_main_py_adds_but_does_not_exist_or_does_not_parse(project: Path) -> None:
    main = project / "main.py"
    main.write_text(
        main.read_text().replace(
            'kartcore.add_config("./conf/param.ini")',
            'kartcore.add_config("./conf/param.ini")\n    kartcore.add_config("conf/gone.ini")\n'
            '    kartcore.add_config("conf/broken.toml")',
        ),
        encoding="utf-8",
    )
    (project / "conf" / "broken.toml").write_text("[x\n", encoding="utf-8")
    result = kart("check", cwd=project)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "main.py: add_config('conf/gone.ini'): the file does not exist"
    assert lines[1].startswith("conf/broken.toml: cannot be read: ")
    assert lines[2] == "2 problems in conf/param.ini, conf/broken.toml"


def test_outside_a_project_exit_2_with_the_usual_line(tmp_path: Path) -> None:
    result = kart("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output == (
        f"kart: no kartcore project here: looked for pyproject.toml and main.py in {tmp_path.resolve()} "
        "and its parents (create one with `kart new`)\n"
    )
    assert list(tmp_path.iterdir()) == []
