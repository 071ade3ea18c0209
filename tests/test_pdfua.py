"""PDF/UA-1 of every language's screen edition, built once per session: the Matterhorn checker
(kkguide.uacheck, written from the standard) finds nothing; the text layer read by poppler and by
MuPDF holds every printed message of the catalog; furniture is artifact, links are described."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import REPO
from kkguide.cli import main
from kkguide.config import load_config
from kkguide.uacheck import check_pdf

LANGUAGES = [lang.code for lang in load_config(REPO).languages]
TEXT_LANGUAGES = ["ar", "fa", "uk", "ti"]
# Not done yet: messages (of 398) that an extractor does not give back whole, measured on this
# tree. Before the text layer rewrite: fa 306 (poppler) / 316 (MuPDF) of 399. Strict: a pair that
# starts to pass fails here, so the entry must then be removed.
OPEN = {("ar", "poppler"): 188, ("fa", "poppler"): 174, ("ar", "mupdf"): 15, ("fa", "mupdf"): 3,
        ("uk", "poppler"): 2, ("uk", "mupdf"): 4, ("ti", "poppler"): 7, ("ti", "mupdf"): 1}


@pytest.fixture(scope="session")
def screen(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("screen")
    result = CliRunner().invoke(main, ["build", "-C", str(REPO), "--edition", "screen", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _pdf(screen: Path, lang: str) -> Path:
    path = screen / lang / f"kreis-kleve-welcome-guide-{lang}-screen.pdf"
    if not path.is_file():  # the build says which and why (min_coverage); nothing to check
        pytest.skip(f"{lang} not built: below guide.yml min_coverage")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_matterhorn_checker_finds_nothing(screen, lang):
    findings = check_pdf(_pdf(screen, lang).read_bytes())
    assert not findings, "\n".join(f.text() for f in findings)


def test_checker_finds_what_the_audit_found():
    """The old output's failures (built with WeasyPrint's own tagging) are found: the checker can fail."""
    import weasyprint

    html = ('<html lang="de"><head><title>T</title><style>@page { @top-center { content: "Kopf" } }</style>'
            '</head><body><h1>A</h1><h3>B</h3><p><a href="https://example.org"><span>x</span></a></p>'
            '<img src="data:," alt=""></body></html>')
    data = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    found = {f.condition for f in check_pdf(data)}
    assert {"01-005", "14-003", "28-011"} <= found, found


def _expected(lang: str) -> list[str]:
    from kkguide.project import load_catalogs, load_project, translation_for
    from textlayer_check import plain

    project = load_project(REPO)
    language = project.config.language(lang)
    translation = translation_for(project, language, load_catalogs(project, [lang])[lang])
    printed = {s.msgid for s in project.segments if s.kind != "image alt text"}
    return [plain(r.text, project.facts) for m, r in translation.texts.items()
            if r.lang == lang and m in printed]


@pytest.mark.slow
@pytest.mark.parametrize("extractor", ["poppler", "mupdf"])
@pytest.mark.parametrize("lang", TEXT_LANGUAGES)
def test_text_layer_holds_the_catalog_text(screen, lang, extractor, request):
    from textlayer_check import missing, mupdf_text, poppler_text

    if (lang, extractor) in OPEN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"not done: {OPEN[lang, extractor]} "
                                              "messages still extracted wrong (see OPEN)"))
    got = (poppler_text if extractor == "poppler" else mupdf_text)(_pdf(screen, lang))
    expected = _expected(lang)
    lost = missing(expected, got)
    assert len(expected) > 300
    assert not lost, f"{len(lost)} of {len(expected)} messages not extracted whole, e.g. {lost[:3]}"


@pytest.mark.slow
def test_furniture_is_artifact_and_links_are_described(screen):
    with pikepdf.open(_pdf(screen, "de")) as pdf:
        page = pdf.pages[5]
        artifacts = [ops for ops, op in pikepdf.parse_content_stream(page)
                     if str(op) == "BDC" and str(ops[0]) == "/Artifact" and "/Subtype" in ops[1]]
        assert {str(a[1].Subtype) for a in artifacts} == {"/Header", "/Footer"}
        toc = pdf.pages[1]
        links = [a for a in toc.obj.Annots if a.Subtype == "/Link"]
        chapters = len(list((REPO / "chapters").glob("*.md")))
        assert len(links) == chapters, "one annotation per contents entry"
        assert str(links[1].Contents).startswith("Kapitel 2: ") and ", Seite " in str(links[1].Contents)


def test_check_pdf_command(tmp_path):
    bad = tmp_path / "bad.pdf"
    import weasyprint

    bad.write_bytes(weasyprint.HTML(string="<html><body><p>x</p></body></html>").write_pdf())
    result = CliRunner().invoke(main, ["check-pdf", str(bad)])
    assert result.exit_code == 1 and "11-006" in result.output, result.output
