"""``kart new``: generate a pipeline project from the cookiecutter template that comes with this package.

The template sits at the repository root (``cookiecutter gh:<org>/<repo>`` renders it as it is); the build
carries it into the wheel as package data (``kartcore/templates/kart-pipeline``), so an installed
``gokart-core`` needs no checkout, and a checkout or an editable install finds it at the root. Either way
``kart new`` asks the same questions and runs the same hooks. cookiecutter is imported only when the
command runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

PACKAGE = Path(__file__).resolve().parent.parent
#: Where the wheel puts the root template (pyproject.toml, [tool.hatch.build.targets.wheel]).
PACKAGED_TEMPLATE = PACKAGE / "templates" / "kart-pipeline"


def template_directory(package: Path = PACKAGE) -> Path:
    """The template's directory: package data in an installed wheel, else the repository root of a checkout.

    A copy of kartcore vendored into a project has neither; :func:`questions` says so.
    """
    packaged = package / PACKAGED_TEMPLATE.relative_to(PACKAGE)
    return packaged if packaged.is_dir() else package.parent


TEMPLATE = template_directory()


def questions(template: Path | None = None) -> dict[str, Any]:
    """The template's questions and their defaults (cookiecutter.json without private keys)."""
    path = (template or TEMPLATE) / "cookiecutter.json"
    if not path.is_file():
        raise click.ClickException(
            f"this kartcore has no project template ({path} is missing; a copy vendored into a project leaves it "
            "out): run `kart new` from an installed gokart-core, e.g. `pipx install gokart-core`"
        )
    context = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in context.items() if not key.startswith("_")}


#: Jinja's delimiters: cookiecutter renders the extra context it is given, so an answer holding them would be
#: evaluated (``{{ 7*7 }}`` becomes 49) or break the rendering (``{#``); kart new passes such answers literally.
JINJA_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def literal(value: str) -> str:
    """``value`` as cookiecutter's renderer gives it back unchanged: Jinja's raw block around Jinja syntax."""
    if not any(marker in value for marker in JINJA_MARKERS):
        return value
    if "endraw" in value:
        raise click.BadParameter(f"{value!r} cannot be passed literally (it holds 'endraw')", param_hint="ANSWERS")
    return "{% raw %}" + value + "{% endraw %}"


def parse_answers(pairs: tuple[str, ...], template: Path | None = None) -> dict[str, str]:
    """``key=value`` arguments as cookiecutter's extra context, refusing unknown keys and bad choices.

    Free-text answers are taken literally (see :func:`literal`); choices must be one of those offered.
    """
    known = questions(template)
    answers: dict[str, str] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="ANSWERS")
        if key not in known:
            raise click.BadParameter(
                f"{key!r} is not a question of the template; the questions are: {', '.join(known)}",
                param_hint="ANSWERS",
            )
        choices = known[key]
        if isinstance(choices, list) and value not in choices:
            raise click.BadParameter(
                f"{key}={value!r} is not offered; choose one of {', '.join(map(str, choices))}", param_hint="ANSWERS"
            )
        answers[key] = value if isinstance(choices, list) else literal(value)
    return answers


@click.command(name="new")
@click.argument("answers", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--no-input", is_flag=True, help="Ask nothing: the defaults, as KEY=VALUE arguments change them.")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where the project directory is created.",
)
@click.option("-f", "--overwrite-if-exists", is_flag=True, help="Write into the project directory if it exists.")
@click.option("-s", "--skip-if-file-exists", is_flag=True, help="With -f, keep files that exist already.")
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A cookiecutter user config (default answers, replay directory).",
)
@click.option("--default-config", is_flag=True, help="Ignore the user's cookiecutter config.")
@click.option("--keep-project-on-failure", is_flag=True, help="Keep the project when a hook fails (to debug it).")
@click.option(
    "--template-path",
    is_flag=True,
    help="Print the template's directory and exit (for `cookiecutter PATH`; cruft wants the git repository).",
)
def command(
    answers: tuple[str, ...],
    no_input: bool,
    output_dir: Path,
    overwrite_if_exists: bool,
    skip_if_file_exists: bool,
    config_file: Path | None,
    default_config: bool,
    keep_project_on_failure: bool,
    template_path: bool,
) -> None:
    """Create a kartcore pipeline project, asking the template's questions.

    KEY=VALUE arguments (e.g. project_name=churn-model python_version=3.12) replace the defaults the
    questions offer; with --no-input nothing is asked and they are the answers. The hooks refuse bad
    answers before anything is written and, with verify=yes (the default), run the new project's
    pipeline and tests.
    """
    extra_context = parse_answers(answers)  # also says so when this copy has no template
    if template_path:
        click.echo(str(TEMPLATE))
        return
    try:
        from cookiecutter.exceptions import CookiecutterException, FailedHookException, OutputDirExistsException
        from cookiecutter.main import cookiecutter
    except ImportError as exc:  # pragma: no cover - cookiecutter is a dependency of gokart-core
        raise click.ClickException(f"kart new needs cookiecutter ({exc}): pip install 'cookiecutter>=2.6'") from None
    try:
        with _cookiecutter_messages_without_tracebacks():
            project = cookiecutter(
                str(TEMPLATE),
                no_input=no_input,
                extra_context=extra_context,
                output_dir=str(output_dir),
                overwrite_if_exists=overwrite_if_exists,
                skip_if_file_exists=skip_if_file_exists,
                config_file=str(config_file) if config_file else None,
                default_config=default_config,
                keep_project_on_failure=keep_project_on_failure,
            )
    except OutputDirExistsException as exc:
        reason = str(exc).removeprefix("Error: ")
        raise click.ClickException(f"no project was created: {reason} (-f writes into it)") from None
    except FailedHookException:  # the hook printed one line per reason; nothing more to say
        raise SystemExit(1) from None
    except OSError as exc:  # e.g. a read-only output directory
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        reason = cause.strerror or str(cause)
        raise click.ClickException(f"no project was created: {exc} ({reason})".replace("\n", " ")) from None
    except (CookiecutterException, ValueError) as exc:  # ValueError: cookiecutter's word for a bad choice
        raise click.ClickException(f"no project was created: {exc}") from None
    _next_steps(Path(project))


class MessageOnlyFormatter(logging.Formatter):
    """A log record's message without its traceback: the hooks have said what went wrong already."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def _not_a_failed_hook(record: logging.LogRecord) -> bool:
    """cookiecutter's "Stopping generation because ... hook ..." after a hook printed its reasons: left out."""
    return not record.getMessage().startswith("Stopping generation because")


@contextmanager
def _cookiecutter_messages_without_tracebacks() -> Iterator[None]:
    """cookiecutter logs a failed hook with its traceback; show users the message only."""
    logger = logging.getLogger("cookiecutter")
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(MessageOnlyFormatter())
    handler.addFilter(_not_a_failed_hook)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _next_steps(project: Path) -> None:
    package, manager = project.name, "poetry"
    cruft = project / ".cruft.json"
    if cruft.is_file():
        answers = json.loads(cruft.read_text(encoding="utf-8"))["context"]["cookiecutter"]
        package, manager = answers["package_name"], answers.get("package_manager", manager)
    install = "uv sync" if manager == "uv" else "poetry install"
    click.echo(f"Created {project}")
    click.echo(f"Next: cd {project} && {install} && {manager} run python main.py {package}.Sample --local-scheduler")
