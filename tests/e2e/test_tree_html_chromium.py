"""``kart tree --format html`` opened in a real browser: headless Chromium draws the task boxes in their state colours.

The page must work from a file with no network, so Chromium gets a host resolver that resolves
nothing. The screenshot is read with Pillow: each state colour must cover about as many pixels as
that many task boxes (the legend's swatches alone are far too small to pass).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kartcore.inspection.html import NODE_HEIGHT, NODE_WIDTH
from kartcore.inspection.view import COLOURS, COMPLETE, PENDING
from tests.kartcore.cli.conftest import run_main, write_project

pytestmark = pytest.mark.slow

#: How CI installs the browser (Debian's package; nothing is downloaded by the test itself).
APT_LINE = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    """The browser's path; installed with apt-get when missing and possible, else the test is skipped."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["sh", "-c", APT_LINE], capture_output=True, timeout=900, check=False)
        if found := shutil.which("chromium"):
            return found
    pytest.skip(f"Chromium is not installed and could not be installed here (needs root and apt-get): {APT_LINE}")


def screenshot(page: Path, png: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--force-color-profile=srgb",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        "--window-size=1200,800",
        page.as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0 and png.is_file(), completed.stderr[-3000:]
    return completed


def pixels_near(image: object, colour: str, tolerance: int = 6) -> int:
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 24)  # type: ignore[attr-defined]
        if all(abs(channel - wanted) <= tolerance for channel, wanted in zip(pixel[:3], target, strict=True))
    )


def test_the_html_page_draws_every_task_in_its_state_colour(tmp_path: Path) -> None:
    from PIL import Image

    project = write_project(tmp_path / "toy-pipeline")
    run_main(project, "toy_pipeline.Load")  # Load complete; Split, Train and Report pending
    kart = shutil.which("kart", path=str(Path(sys.executable).parent))
    assert kart, "the kart console script is installed with kartcore"
    page = tmp_path / "dag.html"
    made = subprocess.run(
        [kart, "tree", "toy_pipeline.Report", "--format", "html", "--output", str(page)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    completed = screenshot(page, tmp_path / "dag.png", tmp_path / "profile")
    assert "Uncaught" not in completed.stderr, "the page's script runs without errors"

    image = Image.open(tmp_path / "dag.png").convert("RGB")
    assert image.size == (1200, 800)
    box = NODE_WIDTH * NODE_HEIGHT
    complete = pixels_near(image, COLOURS[COMPLETE][0])
    pending = pixels_near(image, COLOURS[PENDING][0])
    assert 0.6 * box <= complete <= 1.1 * box, f"one complete task box, got {complete} px"
    assert 3 * 0.6 * box <= pending <= 3 * 1.1 * box, f"three pending task boxes, got {pending} px"
    border = pixels_near(image, COLOURS[PENDING][1], tolerance=20)
    assert border > 3 * NODE_WIDTH, "the boxes have their state's border"


def test_hovering_a_task_shows_its_parameters_and_time(tmp_path: Path) -> None:
    project = write_project(tmp_path / "toy-pipeline")
    run_main(project, "toy_pipeline.Load")
    kart = shutil.which("kart", path=str(Path(sys.executable).parent))
    assert kart
    page = tmp_path / "dag.html"
    subprocess.run([kart, "tree", "toy_pipeline.Load", "-f", "html", "-o", str(page)], cwd=project, check=True)
    hover = '<script>document.querySelector("g.node").dispatchEvent(new Event("mouseenter"));</script></body>'
    page.write_text(page.read_text().replace("</body>", hover))
    dumped = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    details = dumped.split('<pre id="details">', 1)[1].split("</pre>", 1)[0]
    assert details.startswith("toy_pipeline.Load[")
    assert "state: complete" in details
    assert "size = 10" in details
    assert "processing time: " in details and "processing time: unknown" not in details
