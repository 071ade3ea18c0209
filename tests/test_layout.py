"""Layout rules, measured on the rendered PDFs with MuPDF (kkguide.proof), and visual regression.

- Page report: no content page of any language and edition is less than a quarter full unless it
  ends the booklet or precedes a full-page element; no heading or lead-in ends a page, no table
  leaves fewer than two rows with its head. The measurement is first shown to catch each of these
  on small PDFs made to have them.
- Visual regression: key pages of de, ar, uk, ti against approved low-resolution renders
  (tests/visual/, updated by `make approve-visuals`), within a tolerance.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import weasyprint
from click.testing import CliRunner

from conftest import REPO
from kkguide.cli import main
from kkguide.project import load_project
from kkguide.proof import NEAR_EMPTY, measure

sys.path.insert(0, str(Path(__file__).resolve().parent / "visual"))
from keypages import CHANGED_PIXELS, LANGS as VISUAL_LANGS, TOLERANCE, approved, difference, key_pages, render  # noqa: E402

PROJECT = load_project(REPO)
LANGS = [lang.code for lang in PROJECT.config.languages]
EDITIONS = ("screen", "print")
PAGE = "@page { size: A5; margin: 18mm 14mm 16mm 14mm } body { font: 9.5pt/1.45 'Noto Sans' } h2 { font-size: 12pt }"
FILLER = "<p>" + "Ein Satz, der eine Zeile füllt und noch eine. " * 8 + "</p>"


def _pdf(body: str) -> bytes:
    return weasyprint.HTML(string=f"<style>{PAGE}</style>{body}").write_pdf()


# --- the measurement can fail --------------------------------------------------------------------

def test_report_finds_a_near_empty_page():
    data = _pdf(FILLER * 6 + "<p style='break-before: page'>Zwei kurze Zeilen.</p><p style='break-before: page'></p>"
                + FILLER * 6 + "<p style='break-before: page'></p>" + FILLER * 2)
    report = measure(data, "made")
    assert report.pages[1].near_empty and report.pages[1].fill < NEAR_EMPTY
    assert [p.number for p in report.underfull()] == [2]
    full = _pdf(FILLER * 6 + "<div style='break-before: page; height: 150mm; background: #369'></div>" + FILLER)
    assert measure(full, "made").pages[1].full_page  # a full-page element is not near-empty


def test_report_finds_a_heading_and_a_lead_in_at_the_foot():
    rows = "".join(f"<tr><td>Zeile {i}</td><td>110</td></tr>" for i in range(8))
    table = f"<table style='border-collapse: collapse; width: 100%'>{rows}</table>".replace(
        "<td>", "<td style='border-bottom: 0.5pt solid #000'>")
    heading = _pdf(FILLER * 6 + "<h2 style='break-before: avoid'>Eine Überschrift unten</h2>"
                   "<p style='break-before: page'>Text.</p>" + FILLER)
    assert any("heading at the foot" in p for p in measure(heading, "made").pages[0].problems)
    lead_in = _pdf(FILLER * 6 + "<p>Diese Nummern sind kostenlos:</p><div style='break-before: page'></div>" + table)
    assert any("lead-in at the foot" in p for p in measure(lead_in, "made").pages[0].problems)


def _table_after(spacer_mm: float) -> bytes:
    cell = "style='border-bottom: 0.5pt solid #000; padding: 1mm'"
    rows = "".join(f"<tr><td {cell}>Zeile {i}</td><td {cell}>{i}</td></tr>" for i in range(12))
    return _pdf(f"<div style='height: {spacer_mm}mm; background: #ddd'></div>"
                f"<table style='border-collapse: collapse; width: 100%'><tr><th {cell}>Was</th><th {cell}>Nummer</th></tr>"
                f"{rows}</table>")


def test_report_finds_a_table_split_from_its_first_rows():
    split = measure(_table_after(162), "made")  # room for the head and one row
    assert any("table split" in p for p in split.pages[0].problems), split.text()
    kept = measure(_table_after(120), "made")   # many rows stay with the head
    assert not any("table split" in p for page in kept.pages for p in page.problems), kept.text()


# --- the guide keeps the rules -------------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(default_build) -> dict:
    found = {}
    for lang in LANGS:
        for edition in EDITIONS:
            pdf = default_build.dist / lang / f"kreis-kleve-welcome-guide-{lang}-{edition}.pdf"
            if pdf.is_file():  # a language below min_coverage is not built (test_default_guide fails then)
                found[lang, edition] = measure(pdf.read_bytes(), str(pdf.name))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_near_empty_pages_and_no_bad_breaks(reports, lang: str, edition: str):
    if (lang, edition) not in reports:
        pytest.skip(f"{lang} {edition} was not built (below min_coverage)")
    report = reports[lang, edition]
    assert not report.underfull(), report.text()
    problems = [(p.number, x) for p in report.pages for x in p.problems if not x.startswith("widow")]
    assert not problems, report.text()


def _screen(default_build, lang: str):
    """The screen PDF of ``lang`` in the session's build, its bytes and the chapter ids in order."""
    pdf = default_build.dist / lang / f"kreis-kleve-welcome-guide-{lang}-screen.pdf"
    if not pdf.is_file():
        pytest.skip(f"{lang} was not built (below min_coverage)")
    return pdf, pdf.read_bytes(), [c.id for c in PROJECT.chapters]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_map_opens_its_chapter_on_the_same_page(default_build, lang: str):
    """The chapter the map belongs to opens on the page with the map: no opening left alone."""
    import pymupdf

    pdf, data, ids = _screen(default_build, lang)
    openings = [page for level, _title, page in pymupdf.open(stream=data, filetype="pdf").get_toc() if level == 1]
    page = openings[ids.index("municipalities")]
    report = measure(data, pdf.name)
    assert report.page(page).full_page, report.text()


@pytest.mark.slow
@pytest.mark.parametrize("lang", VISUAL_LANGS)
def test_key_pages_look_as_approved(default_build, lang: str):
    pdf, data, ids = _screen(default_build, lang)
    failures = []
    for name, number in key_pages(data, ids.index("emergency")).items():
        reference = approved(lang, name)
        assert reference.is_file(), f"no approved render {reference.name}: run `make approve-visuals`"
        from PIL import Image

        mean, changed = difference(render(data, number), Image.open(reference).convert("RGB"))
        if mean > TOLERANCE or changed > CHANGED_PIXELS:
            failures.append(f"{name} (page {number}): mean difference {mean:.2f}, {changed:.1%} of pixels changed")
    assert not failures, f"{lang}: {'; '.join(failures)} — if intended, run `make approve-visuals` and commit"


def test_visual_check_sees_a_change(default_build):
    """The comparison is not blind: a render of another page differs from the approved cover."""
    from PIL import Image

    data = (default_build.dist / "de" / "kreis-kleve-welcome-guide-de-screen.pdf").read_bytes()
    mean, changed = difference(render(data, 2), Image.open(approved("de", "cover")).convert("RGB"))
    assert mean > TOLERANCE or changed > CHANGED_PIXELS


def test_proof_command_writes_sheets_and_report(default_build, tmp_path: Path):
    pdf = default_build.dist / "de" / "kreis-kleve-welcome-guide-de-print.pdf"
    result = CliRunner().invoke(main, ["proof", str(pdf), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 near-empty content page(s)" in result.output
    sheets = sorted(tmp_path.glob("*-sheet-*.png"))
    assert sheets and (tmp_path / f"{pdf.stem}-report.json").is_file()
    from PIL import Image

    with Image.open(sheets[0]) as image:
        assert image.width > 1000
