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


def _draw(doc: pikepdf.Pdf, content: str, page: int = 2, **states) -> None:
    """Append ``content`` to a page; ``{font}`` names a font of that page; ``states``: ExtGStates."""
    target = doc.pages[page]
    font = next(iter(target.Resources.Font.keys()))[1:] if "/Font" in target.Resources else "F0"
    for name, entries in states.items():
        if "/ExtGState" not in target.Resources:
            target.Resources.ExtGState = pikepdf.Dictionary()
        target.Resources.ExtGState[f"/{name}"] = pikepdf.Dictionary(entries)
    target.contents_add(doc.make_stream(("q " + content.format(font=font) + " Q").encode()), prepend=False)


def _cmyk_image(doc: pikepdf.Pdf, tint: tuple[int, int, int, int]) -> None:
    """A 305 dpi CMYK photo (uncompressed samples) of one colour on page 3."""
    width, height = 1200, 900
    xobj = doc.make_stream(bytes(tint) * (width * height), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=width, Height=height, BitsPerComponent=8, ColorSpace=pikepdf.Name.DeviceCMYK)
    page = doc.pages[2]
    if "/XObject" not in page.Resources:
        page.Resources.XObject = pikepdf.Dictionary()
    page.Resources.XObject.Dark = xobj
    page.contents_add(doc.make_stream(f"q {100 * MM:.2f} 0 0 {75 * MM:.2f} 40 40 cm /Dark Do Q".encode()), prepend=False)


# Each damaged file breaks one press rule (the print shops' rules: design notes, print requirements).
PRESS_RISKS = [
    ("small-text-3-inks.pdf", lambda d: _draw(d, "0.5 0.4 0 0.2 k BT /{font} 8 Tf 1 0 0 1 60 60 Tm <0024> Tj ET"),
     ["fine-inks"], "page 3: text 8.0 pt"),
    ("small-text-rich-black.pdf", lambda d: _draw(d, "0.6 0.4 0.4 1 k BT /{font} 9 Tf 1 0 0 1 60 60 Tm <0024> Tj ET"),
     ["fine-inks", "rich-black"], "rich black (C60 M40 Y40 K100)"),
    ("thin-rule-2-inks.pdf", lambda d: _draw(d, "0.6 0 0 0.3 K 0.5 w 60 60 m 300 60 l S"),
     ["fine-inks"], "stroke 0.50 pt in 2 inks"),
    ("thin-filled-rule.pdf", lambda d: _draw(d, "1 0.5 0 0 k 60 60 240 0.6 re f"),
     ["fine-inks"], "filled shape 0.60 pt thin"),
    ("ink-350.pdf", lambda d: _draw(d, "1 1 1 0.5 k 60 60 100 100 re f"), ["ink-limit"], "(350 % ink)"),
    ("dark-cmyk-photo.pdf", lambda d: _cmyk_image(d, (250, 250, 250, 250)), ["ink-limit"], "image /Dark with 392 %"),
    ("hairline.pdf", lambda d: _draw(d, "0 0 0 1 K 0.1 w 60 60 m 300 60 l S"), ["hairlines"], "stroke 0.10 pt"),
    ("zero-width.pdf", lambda d: _draw(d, "0 0 0 1 K 0 w 60 60 m 300 60 l S"), ["hairlines"], "width 0"),
    ("white-overprint.pdf", lambda d: _draw(d, "/GSop gs 0 0 0 0 k 60 60 100 100 re f",
                                           GSop={"/Type": pikepdf.Name.ExtGState, "/OP": True, "/op": True}),
     ["overprint"], "white with overprint on"),
]


@pytest.mark.parametrize("name, change, checks, reason", PRESS_RISKS, ids=[r[0] for r in PRESS_RISKS])
def test_preflight_catches_each_press_risk_with_page_and_object(built, tmp_path, name, change, checks, reason):
    bad = _damaged(built, tmp_path, name, change)
    report = preflight(bad)
    failed = [f for f in report.findings if not f.ok]
    assert [f.check for f in failed] == checks, report.text()
    assert reason in failed[-1].message and failed[0].message.startswith("page 3: "), report.text()


def test_white_without_overprint_and_one_ink_tints_pass(built, tmp_path):
    """The checks do not fire on what is allowed: white knock-outs, a cyan tint as small text,
    1 pt rules in two inks, a 0.25 pt one-ink rule."""
    def allowed(d):
        _draw(d, "0 0 0 0 k 60 60 100 100 re f 0.7 0 0 0 k BT /{font} 8 Tf 1 0 0 1 60 60 Tm <0024> Tj ET "
                 "0.6 0 0 0.3 K 1 w 60 80 m 300 80 l S 0 0 0 0.5 K 0.25 w 60 90 m 300 90 l S")
    report = preflight(_damaged(built, tmp_path, "allowed.pdf", allowed))
    assert report.ok, report.text()


def _cmyk_inks_of_small_text(pdf: Path) -> tuple[int, list[str]]:
    """MuPDF's reading (not kkguide's): render each page as a CMYK pixmap and, for every text span
    below 12 pt on an unprinted background, look for C, M or Y in the span's box. Returns the
    spans checked and the problems."""
    import pymupdf

    checked, problems = 0, []
    # no colour management: the pixmap then holds the file's own ink values (with it, MuPDF
    # converts DeviceCMYK through the OutputIntent to its own CMYK and K text turns rich black)
    pymupdf.TOOLS.set_icc(False)
    with pymupdf.open(pdf) as doc:
        for page in doc:
            zoom = 4
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csCMYK, alpha=False)
            samples = pix.samples
            for span in page.get_texttrace():
                if span["size"] >= 12 or not span["chars"]:
                    continue
                # the glyphs' own band: from the x-height above the baseline to just below it
                base = span["chars"][0][2][1]
                x0 = int(min(c[3][0] for c in span["chars"]) * zoom)
                x1 = int(max(c[3][2] for c in span["chars"]) * zoom)
                y0, y1 = int((base - 0.55 * span["size"]) * zoom), int((base + 0.1 * span["size"]) * zoom)
                x0, y0 = max(x0, 0), max(y0, 0)
                x1, y1 = min(x1, pix.width - 1), min(y1, pix.height - 1)
                if x1 <= x0 or y1 <= y0:
                    continue
                corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
                if any(samples[(y * pix.width + x) * 4:(y * pix.width + x) * 4 + 4] != b"\0\0\0\0"
                       for x, y in corners):
                    continue  # text on a tint or photo: its inks mix with the background's
                checked += 1
                worst = max(max(samples[(y * pix.width + x) * 4:(y * pix.width + x) * 4 + 3])
                            for y in range(y0, y1) for x in range(x0, x1))
                if worst > 8:
                    problems.append(f"page {page.number + 1}: {span['size']:.1f} pt text at {span['bbox']} "
                                    f"has C, M or Y up to {worst / 2.55:.0f} %")
    pymupdf.TOOLS.set_icc(True)
    return checked, problems


def test_small_text_prints_in_one_ink_as_mupdf_renders_it(built, tmp_path):
    for lang in ("de", "ar"):
        checked, problems = _cmyk_inks_of_small_text(built / PRINT.format(lang=lang))
        assert checked > 30 and not problems, (checked, problems[:5])
    # the same reading finds four-colour small text when it is there
    def four_colour_text(doc):
        page = doc.pages[3]
        data = page.Contents.read_bytes().replace(b"0 0 0 1 k", b"0.8 0.3 0.1 0.6 k")
        page.obj.Contents = doc.make_stream(data)

    checked, problems = _cmyk_inks_of_small_text(_damaged(built, tmp_path, "4c.pdf", four_colour_text))
    assert problems and all(p.startswith("page 4: ") for p in problems), problems[:3]


def test_preflight_of_a_screen_pdf_fails(mini, cli):
    assert cli(mini, "build", "--lang", "de", "--jobs", "1").exit_code == 0
    report = preflight(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf", PrintSpec())
    assert not report.ok and {f.check for f in report.findings if not f.ok} >= {"pdfx", "boxes", "colour"}
