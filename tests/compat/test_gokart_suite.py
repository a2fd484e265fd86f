"""gokart 1.12.2's own test suite on the drop-in (scripts/gokart-suite): the conformance test of issue 13.

The script installs gokart-core and the drop-in into a fresh venv (from the package index) and runs the
sdist's ``test/`` with a JUnit report. Expectations live in one file, gokart_suite_expectations.toml: the pass
floor, the test files that use only ``import gokart`` (every test there must pass), and each test allowed to
fail with the key of its reason; every reason is a row of README.md's "Where kartcore differs from gokart" table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
EXPECTATIONS = Path(__file__).with_name("gokart_suite_expectations.toml")
DIFFERS_HEADING = "## Where kartcore differs from gokart, and why"


def expectations() -> dict:
    return tomllib.loads(EXPECTATIONS.read_text())


def differs_table() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split(DIFFERS_HEADING, 1)[1]
    return section.split("\n## ", 1)[0]


def outcomes(report: Path) -> dict[str, str]:
    """``{test id: "passed" | "failed" | "skipped"}`` from pytest's JUnit XML (a collection error fails its file)."""
    found = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}" if case.get("classname") else str(case.get("name"))
        if case.find("failure") is not None or case.find("error") is not None:
            found[test_id] = "failed"
        elif case.find("skipped") is not None:
            found[test_id] = "skipped"
        else:
            found[test_id] = "passed"
    return found


def test_every_known_failure_has_a_reason_in_the_readme() -> None:
    expected = expectations()
    table = differs_table()
    reasons = expected["reasons"]
    for key, row in reasons.items():
        assert row in table, f"reason {key!r}: {row!r} is not a row of README's differs table"
    unused = set(reasons) - set(expected["known_failures"].values())
    assert not unused, f"reasons no known failure uses: {sorted(unused)}"
    unknown = {test: key for test, key in expected["known_failures"].items() if key not in reasons}
    assert not unknown, f"known failures whose reason is not in [reasons]: {unknown}"
    assert expected["total"] - len(expected["known_failures"]) >= expected["pass_floor"]


@pytest.mark.slow
def test_gokart_suite_on_the_dropin(tmp_path: Path) -> None:
    expected = expectations()
    report = tmp_path / "suite.xml"
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "gokart-suite"), f"--junitxml={report}"],
        capture_output=True,
        text=True,
        timeout=1800,
        env=env,
        check=False,
    )
    assert report.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    found = outcomes(report)
    passed = [test for test, outcome in found.items() if outcome == "passed"]
    failed = sorted(test for test, outcome in found.items() if outcome == "failed")

    unexplained = [test for test in failed if test not in expected["known_failures"]]
    assert not unexplained, f"failures not in {EXPECTATIONS.name}: {unexplained}\n{result.stdout[-3000:]}"
    assert len(passed) >= expected["pass_floor"], (len(passed), result.stdout[-3000:])

    modules = tuple(expected["top_level_modules"])
    top_level = [test for test in found if test.split("::")[0].startswith(modules)]
    assert len(top_level) == expected["top_level_tests"], top_level
    assert all(found[test] == "passed" for test in top_level), [t for t in top_level if found[t] != "passed"]
    assert not list(tmp_path.glob("gokart-suite.*")), "the script left its work directory behind"
