"""PDF/UA-1 of every language's screen edition, built once per session (conftest.default_build):
the Matterhorn checker (kkguide.uacheck, written from the standard) finds nothing; the text layer
read by poppler and by MuPDF holds every printed message of the catalog; furniture is artifact,
links are described; German runs inside translations are elements with /Lang de."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import REPO
from kkguide.cli import main
from kkguide.config import load_config
from kkguide.uacheck import check_pdf

LANGUAGES = [lang.code for lang in load_config(REPO).languages]
# the extracted-text test's languages: right-to-left Arabic script with ZWNJ (fa), Cyrillic,
# Ethiopic; any language of the guide can be added
TEXT_LANGUAGES = ["ar", "fa", "uk", "ti"]


@pytest.fixture(scope="session")
def screen(default_build) -> Path:
    return default_build.dist


def _pdf(screen: Path, lang: str) -> Path:
    path = screen / lang / f"kreis-kleve-welcome-guide-{lang}-screen.pdf"
    assert path.is_file(), f"{lang} was not built"
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


def _expected(root: Path, lang: str) -> list[str]:
    from kkguide.project import load_catalogs, load_project, translation_for
    from textlayer_check import plain

    project = load_project(root)
    language = project.config.language(lang)
    translation = translation_for(project, language, load_catalogs(project, [lang])[lang])
    printed = {s.msgid for s in project.segments if s.kind != "image alt text"}
    return [plain(r.text, project.facts, language.cldr) for key, r in translation.texts.items()
            if r.lang == lang and key.msgid in printed]


@pytest.mark.slow
@pytest.mark.parametrize("extractor", ["poppler", "mupdf"])
@pytest.mark.parametrize("lang", TEXT_LANGUAGES)
def test_text_layer_holds_the_catalog_text(default_build, screen, lang, extractor):
    from textlayer_check import missing, mupdf_text, poppler_text

    got = (poppler_text if extractor == "poppler" else mupdf_text)(_pdf(screen, lang))
    expected = _expected(default_build.root, lang)
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


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_link_says_in_the_reader_language_what_it_does(default_build, screen, lang):
    """Issue 14: a phone, e-mail or web link is described ("Telefon 02821 85-0 anrufen"), in the
    PDF's language: the description is the catalog's own msgstr with the value put in, never
    the bare target; a contents link names its chapter and page."""
    import polib

    from kkguide.markdown import LINK_TITLES

    if lang == "de":
        said = dict(LINK_TITLES)
    else:
        po = polib.pofile(str(default_build.root / f"translations/{lang}/LC_MESSAGES/guide.po"))
        said = {kind: po.find(msgid).msgstr for kind, msgid in LINK_TITLES.items()}
        assert all(said.values()) and said != LINK_TITLES, said
    kinds = {"tel:": "phone", "mailto:": "email", "http": "url"}
    seen = set()
    with pikepdf.open(_pdf(screen, lang)) as pdf:
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                contents = str(annot.get("/Contents", ""))
                uri = str(annot.A.get("/URI", "")) if "/A" in annot else ""
                kind = next((k for prefix, k in kinds.items() if uri.startswith(prefix)), None)
                if kind is None:
                    assert re.search(r"\d", contents) and len(contents) > 8, contents   # chapter and page
                    continue
                before, after = said[kind].split("%(value)s")
                assert contents.startswith(before) and contents.endswith(after), (uri, contents)
                value = contents[len(before):len(contents) - len(after)]
                assert value and value != uri, (uri, contents)
                seen.add(kind)
    assert seen == {"phone", "email", "url"}, seen


def test_check_pdf_command(tmp_path):
    bad = tmp_path / "bad.pdf"
    import weasyprint

    bad.write_bytes(weasyprint.HTML(string="<html><body><p>x</p></body></html>").write_pdf())
    result = CliRunner().invoke(main, ["check-pdf", str(bad)])
    assert result.exit_code == 1 and "11-006" in result.output, result.output


@pytest.mark.slow
def test_german_inside_translations_is_tagged_german(default_build, screen):
    """About 220 German terms stand in parentheses in the Arabic text (issue 14): each German run
    is a Span with /Lang de, and what MuPDF reads inside those spans is German of the source."""
    from kkguide.project import load_project
    from test_textlayer import _german_spans, marked_text, squeeze
    from textlayer_check import plain

    data = _pdf(screen, "ar").read_bytes()
    spans = _german_spans(data)
    assert len(spans) >= 250, len(spans)
    project = load_project(default_build.root)
    sources = [plain(s.msgid, project.facts, "de") for s in project.segments] + [project.config.publisher]
    german = squeeze("".join(sources))  # the German chapters and the publisher's name (the imprint)
    sample = spans[:: max(1, len(spans) // 40)]
    texts = [squeeze(marked_text(data, page, mcids)) for page, mcids in sample]
    latin = re.compile(r"[A-Za-zÄÖÜäöüß]")
    assert all(t and latin.search(t) and t in german for t in texts), [t for t in texts if t not in german]


def test_german_alt_text_says_its_language(mini, cli):
    """Alt texts still in German (fallback: the mini guide's Arabic catalog lacks the cover
    drawing's) carry /Lang de, on the figure or above it; translated ones do not."""
    from kkguide.tagging import _in_german

    assert cli(mini, "build", "--lang", "ar", "--edition", "screen").exit_code == 0
    (path,) = (mini / "dist/ar").glob("*-screen.pdf")
    with pikepdf.open(path) as pdf:
        figures, stack = [], [pdf.Root.StructTreeRoot.K[0]]
        while stack:
            element = stack.pop()
            if element.S == "/Figure":
                figures.append(element)
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])
            stack.extend(k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k)
        arabic = [f for f in figures if re.search("[\u0600-\u06ff]", str(f.get("/Alt", "")))]
        assert arabic and not any(_in_german(f) for f in arabic), [str(f.Alt) for f in arabic]
        german = [f for f in figures if re.search(r"[äöüßÄÖÜ]|\b(und|der|die|das|mit|am)\b", str(f.get("/Alt", "")))]
        assert german, [str(f.get("/Alt")) for f in figures]
        assert all(_in_german(f) for f in german), [str(f.Alt) for f in german if not _in_german(f)]


def test_handout_bilingual_edition_and_languages_sheet_pass_the_checker(mini, cli, tmp_path):
    """The other PDF/UA outputs go through the same hook: the Matterhorn checker finds nothing in
    an Arabic handout, the Arabic bilingual edition and the languages sheet."""
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text().replace("editions:\n", "editions:\n  bilingual:\n    page_size: A5\n"))
    assert cli(mini, "build", "--edition", "bilingual", "--lang", "ar", "--jobs", "1").exit_code == 0
    handout = cli(mini, "handout", "--lang", "ar", "--chapters", "emergency", "--counsellor", "Amina Yilmaz",
                  "--date", "2026-11-25")
    assert handout.exit_code == 0, handout.output
    sheet = cli(REPO, "languages-sheet", "--base-url", "https://example.org/guide/", "--out", str(tmp_path))
    assert sheet.exit_code == 0, sheet.output
    pdfs = [mini / "dist/ar/kreis-kleve-welcome-guide-ar-bilingual.pdf", Path(handout.output.split(":")[0]),
            tmp_path / "languages-sheet.pdf"]
    for pdf in pdfs:
        findings = check_pdf(pdf.read_bytes())
        assert not findings, f"{pdf.name}: " + "\n".join(f.text() for f in findings)
