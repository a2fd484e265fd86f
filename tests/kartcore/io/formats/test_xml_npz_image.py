"""``.xml``, ``.npz``, ``.png`` and ``.jpg``."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from kartcore.errors import FormatError
from kartcore.io import make_target


def test_xml_element_and_tree_round_trip(tmp_path: Path) -> None:
    root = ET.Element("config", {"name": "ü"})
    ET.SubElement(root, "item").text = "日本"
    target = make_target(str(tmp_path / "c.xml"))
    target.dump(root)  # gokart only takes an ElementTree, and its dump fails on text targets
    loaded = target.load()
    assert isinstance(loaded, ET.ElementTree)
    assert ET.tostring(loaded.getroot()) == ET.tostring(root)
    assert (tmp_path / "c.xml").read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    target.dump(ET.ElementTree(root))
    assert loaded.getroot().find("item").text == "日本"


def test_xml_not_well_formed_is_an_error_not_an_empty_tree(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<a><b></a>")
    with pytest.raises(FormatError, match=r"broken\.xml.*ParseError"):
        make_target(str(path)).load()


def test_npz_array_is_stored_under_data_like_gokart(tmp_path: Path) -> None:
    path = tmp_path / "a.npz"
    make_target(str(path)).dump(np.arange(6).reshape(2, 3))
    with np.load(path) as archive:
        assert archive.files == ["data"]
    np.testing.assert_array_equal(make_target(str(path)).load(), np.arange(6).reshape(2, 3))


def test_npz_dicts_come_back_as_dicts(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "d.npz"))
    target.dump({"x": np.ones(2), "y": np.zeros((2, 2), dtype=np.float32)})
    loaded = target.load()
    assert sorted(loaded) == ["x", "y"] and loaded["y"].dtype == np.float32
    target.dump({"data": np.arange(2)})  # the one key that would read back as a bare array
    loaded = target.load()
    assert isinstance(loaded, dict) and list(loaded) == ["data"]
    target.dump({})
    assert target.load() == {}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.array([{"a": 1}], dtype=object), "object arrays"),
        ({1: np.ones(1)}, "string keys"),
        ({"a": [1, 2]}, "key 'a' is a list"),
        ([1, 2], "expects a numpy ndarray"),
    ],
)
def test_npz_refusals(tmp_path: Path, bad: object, message: str) -> None:
    target = make_target(str(tmp_path / "bad.npz"))
    with pytest.raises(FormatError, match=message):
        target.dump(bad)
    assert not target.exists()


@pytest.mark.parametrize(("extension", "pil_format"), [(".png", "PNG"), (".jpg", "JPEG")])
def test_pil_images_are_saved_in_the_files_format(tmp_path: Path, extension: str, pil_format: str) -> None:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.new("RGB", (8, 6), (200, 10, 10))
    target = make_target(str(tmp_path / f"image{extension}"))
    target.dump(image)
    data = target.load()
    assert isinstance(data, bytes)
    reopened = image_module.open(io.BytesIO(data))
    assert reopened.format == pil_format and reopened.size == (8, 6)
    target.dump(bytearray(data))  # bytes-like in, the same bytes out
    assert target.load() == data


def test_png_keeps_pixels_and_jpeg_refuses_alpha(tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.new("RGBA", (3, 2), (1, 2, 3, 128))
    png = make_target(str(tmp_path / "alpha.png"))
    png.dump(image)
    assert image_module.open(io.BytesIO(png.load())).tobytes() == image.tobytes()
    jpg = make_target(str(tmp_path / "alpha.jpg"))
    with pytest.raises(FormatError, match=r"alpha\.jpg.*mode 'RGBA'.*convert\('RGB'\)"):
        jpg.dump(image)
    assert not jpg.exists()


def test_matplotlib_figure_is_saved(tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 2))
    axes.plot([0, 1], [1, 0])
    target = make_target(str(tmp_path / "plot.png"))
    target.dump(figure)
    plt.close(figure)
    assert target.load().startswith(b"\x89PNG\r\n\x1a\n")
