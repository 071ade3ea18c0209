"""Print edition: PDF/X-4, CMYK, bleed and boxes, multiple of four, reproducible; preflight catches
what a print shop would reject (tests build such bad PDFs on purpose)."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from kkguide.preflight import PrintSpec, preflight
from click.testing import CliRunner

from kkguide.cli import main
from conftest import make_printable, make_project, tool

PRINT = "{lang}/kreis-kleve-welcome-guide-{lang}-print.pdf"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def printable(tmp_path_factory) -> Path:
    return make_printable(make_project(tmp_path_factory.mktemp("print") / "mini"))


@pytest.fixture(scope="module")
def built(printable: Path) -> Path:
    result = CliRunner().invoke(main, ["build", "-C", str(printable), "--edition", "print", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return printable / "dist"


def _boxes(pdf: Path) -> dict[str, list[float]]:
    out = tool("pdfinfo", "-box", "-f", "1", "-l", "1", str(pdf))
    return {m.group(1): [float(v) for v in m.group(2).split()]
            for m in re.finditer(r"^Page\s+1 (MediaBox|CropBox|BleedBox|TrimBox|ArtBox):\s+(.*)$", out, re.M)}


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_print_pdf_is_press_ready(built: Path, lang: str):
    pdf = built / PRINT.format(lang=lang)
    boxes = _boxes(pdf)
    trim, bleed, media = boxes["TrimBox"], boxes["BleedBox"], boxes["MediaBox"]
    assert (trim[2] - trim[0]) / MM == pytest.approx(148, abs=0.05)
    assert (trim[3] - trim[1]) / MM == pytest.approx(210, abs=0.05)
    for got, want in zip(bleed, [trim[0] - 3 * MM, trim[1] - 3 * MM, trim[2] + 3 * MM, trim[3] + 3 * MM]):
        assert got == pytest.approx(want, abs=0.05)
    assert media == pytest.approx(bleed, abs=0.05)
    pages = int(re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", str(pdf)), re.M).group(1))
    assert pages % 4 == 0
    assert all(row.split()[-5] == "yes" for row in tool("pdffonts", str(pdf)).splitlines()[2:])
    tool("qpdf", "--check", str(pdf))
    with pikepdf.open(pdf) as doc:
        intent = doc.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert int(intent.DestOutputProfile.N) == 4
        with doc.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert not any("/Annots" in p.obj for p in doc.pages)
        # the last page is the back cover, notes pages (if any) stand before it
        assert "Im Notfall" in tool("pdftotext", "-f", str(pages), "-l", str(pages), str(built / PRINT.format(lang="de")), "-")
    report = preflight(pdf)
    assert report.ok, report.text()


def test_body_text_is_pure_black_ink(built: Path):
    with pikepdf.open(built / PRINT.format(lang="de")) as doc:
        ops = [(operands, str(op)) for operands, op in pikepdf.parse_content_stream(doc.pages[3])]
    assert not [op for _, op in ops if op in ("rg", "RG")]
    fills = [tuple(float(v) for v in operands) for operands, op in ops if op == "k"]
    assert (0.0, 0.0, 0.0, 1.0) in fills


def test_every_edition_is_byte_identical_across_builds(printable: Path, cli, tmp_path):
    editions = ["--edition", "screen", "--edition", "print", "--edition", "office-booklet"]
    assert cli(printable, "build", *editions, "--jobs", "1", "--out", str(tmp_path / "a")).exit_code == 0
    assert cli(printable, "build", *editions, "--jobs", "2", "--force", "--out", str(tmp_path / "b")).exit_code == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.pdf") if ".kkguide-cache" not in str(p))
    assert len(files) == 6
    for rel in [*files, Path("manifest.json")]:
        a, b = (hashlib.sha256((tmp_path / d / rel).read_bytes()).hexdigest() for d in "ab")
        assert a == b, rel


def _damaged(built: Path, tmp_path: Path, name: str, change) -> Path:
    with pikepdf.open(built / PRINT.format(lang="de")) as doc:
        change(doc)
        out = tmp_path / name
        doc.save(out)
    return out


def _add_image(doc: pikepdf.Pdf, mode: str, pixels: tuple[int, int], size_mm: tuple[float, float]) -> None:
    image = Image.new(mode, pixels, "red" if mode == "RGB" else (0, 100, 100, 0))
    raw = io.BytesIO()
    image.save(raw, "JPEG")
    xobj = doc.make_stream(raw.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=pixels[0], Height=pixels[1], BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode,
                           ColorSpace=pikepdf.Name.DeviceRGB if mode == "RGB" else pikepdf.Name.DeviceCMYK)
    page = doc.pages[2]
    if "/XObject" not in page.Resources:
        page.Resources.XObject = pikepdf.Dictionary()
    page.Resources.XObject.Photo = xobj
    w, h = size_mm[0] * MM, size_mm[1] * MM
    page.contents_add(doc.make_stream(f"q {w:.2f} 0 0 {h:.2f} 40 40 cm /Photo Do Q".encode()), prepend=False)


@pytest.mark.parametrize("name, change, check, reason", [
    ("rgb-image.pdf", lambda d: _add_image(d, "RGB", (1200, 900), (100, 75)), "colour", "RGB image"),
    ("photo-72dpi.pdf", lambda d: _add_image(d, "CMYK", (284, 213), (100, 75)), "images", "72 dpi"),
    ("no-outputintent.pdf", lambda d: d.Root.__delattr__("OutputIntents"), "pdfx", "no PDF/X OutputIntent"),
    ("odd-pages.pdf", lambda d: d.pages.__delitem__(-1), "pages", "not a multiple of 4"),
    ("rgb-text.pdf", lambda d: d.pages[1].contents_add(d.make_stream(b"1 0 0 rg"), prepend=True), "colour", "RGB colour operator"),
    ("link.pdf", lambda d: d.pages[1].obj.__setitem__("/Annots", d.make_indirect(pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10])]))), "clean", "annotations"),
])
def test_preflight_fails_with_a_clear_reason(built, cli, tmp_path, name, change, check, reason):
    bad = _damaged(built, tmp_path, name, change)
    report = preflight(bad)
    failed = [f for f in report.findings if not f.ok]
    assert [f.check for f in failed] == [check], report.text()
    assert reason in failed[0].message
    out = CliRunner().invoke(main, ["preflight", str(bad), "--json"])
    assert out.exit_code == 1 and f'"check": "{check}"' in out.output


def test_preflight_of_a_screen_pdf_fails(mini, cli):
    assert cli(mini, "build", "--lang", "de", "--jobs", "1").exit_code == 0
    report = preflight(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf", PrintSpec())
    assert not report.ok and {f.check for f in report.findings if not f.ok} >= {"pdfx", "boxes", "colour"}
