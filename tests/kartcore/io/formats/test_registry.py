"""The registry stays light: choosing any format, and writing those that need no library, imports nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from kartcore.io.formats import supported_extensions

HEAVY = ("pandas", "numpy", "pyarrow", "polars", "PIL", "dill", "cloudpickle", "matplotlib")


def _heavy_loaded_after(code: str, cwd: Path) -> list[str]:
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}} & set({HEAVY!r}))))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_every_format_module_imports_without_heavy_libraries(tmp_path: Path) -> None:
    loaded = _heavy_loaded_after(
        f"""
        from kartcore.io.formats import format_for_extension
        for extension in {supported_extensions()!r}:
            for library in ("pandas", "polars", "polars-lazy"):
                format_for_extension(extension, library)
        """,
        tmp_path,
    )
    assert loaded == []


def test_plain_objects_in_every_format_that_needs_no_library(tmp_path: Path) -> None:
    loaded = _heavy_loaded_after(
        f"""
        import xml.etree.ElementTree as ET
        from kartcore.io import make_target

        root = {str(tmp_path)!r}
        for name, value in [
            ("a.pkl", {{"a": [1, 2]}}), ("a.txt", ["x"]), ("a.ini", "k = v"), ("a.gz", ["x"]),
            ("a.json", {{"a": 1}}), ("a.ndjson", [{{"a": 1}}]), ("a.xml", ET.Element("x")),
            ("a.png", b"png"), ("a.jpg", b"jpg"),
        ]:
            target = make_target(f"{{root}}/{{name}}")
            target.dump(value)
            if name != "a.ndjson":  # loading ndjson returns a data frame
                target.load()
        """,
        tmp_path,
    )
    assert loaded == []
