"""Print package: zip with PDFs, job ticket, checksums, preflight, thumbnails; perfect binding."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pytest

from kkguide.package import binding_for, load_order
from conftest import make_printable, tool

MM = 72 / 25.4
ORDER = """order: KK-TEST-1
shop: Druckerei Beispiel
paper:
  weight_gsm: 135
  finish: matt coated
max_saddle_pages: {max_pages}
quantities:
  de: 500
  ar: 250
"""


@pytest.fixture
def printable(mini):
    return make_printable(mini)


def _package(root, cli, max_pages: int):
    (root / "order.yml").write_text(ORDER.format(max_pages=max_pages))
    result = cli(root, "package", "--order", str(root / "order.yml"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(root / "dist/orders/KK-TEST-1.zip")


def test_package_contents_checksums_and_ticket(printable, cli):
    archive = _package(printable, cli, 64)
    names = archive.namelist()
    assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", n) for n in names), names
    assert {"job-ticket.txt", "job-ticket.json", "SHA256SUMS", "preflight.txt", "preflight.json",
            "thumbnails/de-cover.png", "thumbnails/ar-cover.png"} <= set(names)
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    ticket = json.loads(archive.read("job-ticket.json"))
    assert ticket["total_copies"] == 750 and "FOGRA39" in ticket["colours"]
    assert {i["language"]: i["quantity"] for i in ticket["items"]} == {"de": 500, "ar": 250}
    assert all(i["binding"] == "saddle stitch" and i["pages"] % 4 == 0 for i in ticket["items"])
    assert {i["language"]: i["binding_edge"] for i in ticket["items"]} == {"de": "left", "ar": "right"}
    assert all(r["ok"] for r in json.loads(archive.read("preflight.json")))
    assert archive.read("thumbnails/de-cover.png").startswith(b"\x89PNG")
    again = _package(printable, cli, 64)
    assert (printable / "dist/orders/KK-TEST-1.zip").read_bytes() == open(again.filename, "rb").read()


def test_perfect_binding_gets_a_cover_with_spine(printable, cli, tmp_path):
    archive = _package(printable, cli, 4)
    ticket = json.loads(archive.read("job-ticket.json"))
    item = next(i for i in ticket["items"] if i["language"] == "de")
    assert item["binding"] == "perfect binding"
    assert item["spine_mm"] == pytest.approx(item["pages"] / 2 * 135 * 1.0 / 1000, abs=0.05)
    cover = tmp_path / "cover.pdf"
    cover.write_bytes(archive.read(item["cover"]))
    out = tool("pdfinfo", "-box", str(cover))
    trim = [float(v) for v in re.search(r"TrimBox:\s+(.*)", out).group(1).split()]
    assert (trim[2] - trim[0]) / MM == pytest.approx(2 * 148 + item["spine_mm"], abs=0.1)
    assert (trim[3] - trim[1]) / MM == pytest.approx(210, abs=0.1)
    assert "Willkommen im Testkreis" in tool("pdftotext", str(cover), "-")


def test_binding_formula_matches_the_shops_example(printable):
    order = load_order(_write(printable, 64), load_config_of(printable))
    assert binding_for(64, order).kind == "saddle stitch"
    assert binding_for(128, order).spine_mm == pytest.approx(8.6, abs=0.05)  # 128 pages, 135 g coated


def test_bad_order_is_a_located_error(printable, cli):
    (printable / "order.yml").write_text(ORDER.format(max_pages=64).replace("  ar: 250", "  xx: 250"))
    result = cli(printable, "package", "--order", str(printable / "order.yml"))
    assert result.exit_code == 1 and "unknown language 'xx'" in result.stderr


def _write(root, max_pages):
    path = root / "order.yml"
    path.write_text(ORDER.format(max_pages=max_pages))
    return path


def load_config_of(root):
    from kkguide.config import load_config
    return load_config(root)
