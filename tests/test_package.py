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


def sign_off(root):
    """What lifts the print gate: the German text reviewed, every ordered catalog signed off
    (the fixture's facts are all verified)."""
    guide = root / "guide/guide.yml"
    guide.write_text(guide.read_text() + "reviewed: true\n")
    po = root / "translations/ar/LC_MESSAGES/guide.po"
    po.write_text(po.read_text(encoding="utf-8").replace("X-Kkguide-Review: draft", "X-Kkguide-Review: "
                                                         "Test Reviewer, 2026-01-12"), encoding="utf-8")
    return root


@pytest.fixture
def printable(mini):
    return sign_off(make_printable(mini))


@pytest.fixture
def draft_printable(mini):
    return make_printable(mini)


def _package(root, cli, max_pages: int, *args: str, name: str = "KK-TEST-1.zip"):
    (root / "order.yml").write_text(ORDER.format(max_pages=max_pages))
    result = cli(root, "package", "--order", str(root / "order.yml"), "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(root / "dist/orders" / name)


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


def test_a_final_package_says_nothing_of_drafts(printable, cli):
    archive = _package(printable, cli, 64)
    ticket = json.loads(archive.read("job-ticket.json"))
    assert ticket["draft"] is False and ticket["draft_reasons"] == []
    assert "DRAFT" not in archive.read("job-ticket.txt").decode()
    assert not any("DRAFT" in n for n in archive.namelist())


def test_draft_content_is_refused_without_the_flag(draft_printable, cli):
    (draft_printable / "order.yml").write_text(ORDER.format(max_pages=64))
    result = cli(draft_printable, "package", "--order", str(draft_printable / "order.yml"), "--jobs", "1")
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(f"{draft_printable / 'order.yml'}:7: refused: this order would print draft content")
    assert "German text is not reviewed" in line and "draft translations (catalog header X-Kkguide-Review: " \
        "draft): ar" in line and "--allow-drafts" in line
    assert not (draft_printable / "dist/orders").exists()


@pytest.mark.parametrize("how", ["flag", "order file"])
def test_drafts_with_the_flag_say_draft_in_ticket_and_names(draft_printable, cli, how):
    args = ("--allow-drafts",) if how == "flag" else ()
    if how == "order file":
        original = ORDER
        (draft_printable / "order.yml").write_text(original.format(max_pages=64) + "allow_drafts: true\n")
        result = cli(draft_printable, "package", "--order", str(draft_printable / "order.yml"), "--jobs", "1")
        assert result.exit_code == 0, result.output
        archive = zipfile.ZipFile(draft_printable / "dist/orders/KK-TEST-1-DRAFT.zip")
    else:
        archive = _package(draft_printable, cli, 64, *args, name="KK-TEST-1-DRAFT.zip")
    ticket = json.loads(archive.read("job-ticket.json"))
    assert ticket["draft"] is True and len(ticket["draft_reasons"]) == 2
    text = archive.read("job-ticket.txt").decode()
    assert text.startswith("*** DRAFT - NOT FOR FINAL PRINT") and text.rstrip().endswith("signed off ***")
    assert "Job ticket KK-TEST-1 (DRAFT)" in text
    pdfs = [n for n in archive.namelist() if n.startswith("pdf/")]
    assert pdfs and all(n.endswith("-DRAFT.pdf") for n in pdfs)
    assert all(i["file"].endswith("-DRAFT.pdf") for i in ticket["items"])


def test_unverified_facts_are_named_among_the_draft_reasons(printable, cli):
    facts = printable / "guide/contacts.yml"
    facts.write_text(facts.read_text().replace("  state: verified\n  verified_on: 2026-01-10\n  verified_by: test "
                                               "author, against the fixture's own data\n", "  state: unverified\n", 1))
    guide = printable / "guide/guide.yml"
    guide.write_text(guide.read_text().replace("reviewed: true\n", ""))  # a reviewed guide would not build
    (printable / "order.yml").write_text(ORDER.format(max_pages=64).replace("  de: 500\n", ""))
    result = cli(printable, "package", "--order", str(printable / "order.yml"), "--jobs", "1")
    # kreis.phone, .email, .url and .address are printed by the chapters and the imprint
    assert result.exit_code == 1 and "; 4 printed fact(s) unverified (kkguide facts lists them; first: kreis." \
        in result.output and "guide/contacts.yml:1)" in result.output


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
