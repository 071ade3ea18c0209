"""A PDF built from the small fixture guide, checked with poppler tools, qpdf and pikepdf."""

from __future__ import annotations

import hashlib
import json

import polib

import pytest

from kkguide.errors import KkguideError
from kkguide.files import ProjectFiles
from kkguide.pdf import SandboxFetcher, render_pdf
from pdfcheck import check_press_basics, plain_text
from conftest import tool


def test_fixture_guide_builds_press_basics(mini, cli):
    result = cli(mini, "build")
    assert result.exit_code == 0, result.output
    for lang in ("de", "ar"):
        pdf = mini / f"dist/{lang}/kreis-kleve-welcome-guide-{lang}-screen.pdf"
        text = check_press_basics(pdf, lang, min_pages=5)
        assert "110" in text and "112" in text
    manifest = json.loads((mini / "dist/manifest.json").read_text())
    assert [a["language"] for a in manifest["artifacts"]] == ["ar", "de"]
    for artifact in manifest["artifacts"]:
        data = (mini / "dist" / artifact["path"]).read_bytes()
        assert artifact["sha256"] == hashlib.sha256(data).hexdigest()
        assert artifact["bytes"] == len(data) and artifact["pages"] >= 5
    assert not list((mini / "dist").rglob("*.tmp"))


def test_arabic_pdf_is_arabic_and_marks_german_fallback(mini, cli):
    assert cli(mini, "build", "--lang", "ar").exit_code == 0
    text = plain_text(mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf")
    assert "مسكنكم خلال أسبوعين" in text
    # the untranslated paragraph is shown in German, not dropped
    assert "Die Kreisverwaltung finden Sie hier" in text


def test_fuzzy_translation_is_never_printed(mini, cli):
    po_path = mini / "translations/ar/LC_MESSAGES/guide.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    entry = po.find("Bringen Sie Ihren **Pass** mit.")
    entry.msgstr = "نص قديم لا يجوز طباعته"
    entry.flags.append("fuzzy")
    po.save()
    result = cli(mini, "build", "--lang", "ar")
    assert result.exit_code == 0
    assert "shown in German" in result.output
    text = tool("pdftotext", str(mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf"), "-")
    assert "نص قديم" not in text
    assert "Bringen Sie Ihren Pass mit." in text


def test_build_twice_is_byte_identical(mini, cli, tmp_path):
    assert cli(mini, "build", "--lang", "ar").exit_code == 0
    first = (mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf").read_bytes()
    assert cli(mini, "build", "--lang", "ar", "--out", str(tmp_path / "again")).exit_code == 0
    assert (tmp_path / "again/ar/kreis-kleve-welcome-guide-ar-screen.pdf").read_bytes() == first


def test_fetcher_reads_nothing_outside_styles_and_guide(mini, recorder):
    url = recorder.url
    secret = mini / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    (mini / "guide/link.css").symlink_to(secret)
    files = ProjectFiles.at(mini)
    refused: list[str] = []
    fetcher = SandboxFetcher(files, refused)
    hostile = [f"{url}/a.css", secret.as_uri(), "file:///etc/passwd", (mini / "guide/link.css").as_uri(),
               (mini / "guide/../secret.txt").as_uri(), (mini / "chapters/01-anmelden.md").as_uri(),
               "data:text/plain,x", (mini / "guide/%2e%2e/secret.txt").as_uri()]
    for target in hostile:
        with pytest.raises(ValueError):
            fetcher.fetch(target)
    assert len(refused) == len(hostile)
    served = fetcher.fetch((mini / "guide/images/willkommen.svg").as_uri())
    assert served.read() == (mini / "guide/images/willkommen.svg").read_bytes()
    assert len(refused) == len(hostile)
    html = f"""<html lang="de"><head>
      <link rel="stylesheet" href="{url}/a.css">
      <link rel="attachment" href="{secret.as_uri()}">
      <style>@import url("{url}/b.css"); body {{ background: url("{url}/c.png") }}</style></head>
      <body><p>Hallo</p><img src="file:///etc/passwd"><img src="{url}/d.png"><img src="../secret.txt">
      <img src="guide/images/willkommen.svg"></body></html>"""
    with pytest.raises(KkguideError, match="refused to fetch"):
        render_pdf(html, files, "test")
    assert recorder.hits == []
    page = render_pdf('<html lang="de"><body><p>Hallo</p><img src="guide/images/willkommen.svg" alt="x"></body></html>',
                      files, "ok")
    assert page.pages == 1 and b"SECRET-CONTENT" not in page.data




def test_languages_page_says_how_complete_each_language_is_and_whether_it_is_a_draft(mini, cli):
    """Issue 17: a counsellor sees on every booklet which editions are drafts and how complete."""
    import json

    assert cli(mini, "build").exit_code == 0
    status = {r["language"]: r for r in json.loads(cli(mini, "status", "--format", "json").output)}
    text = plain_text(mini / "dist/de/kreis-kleve-welcome-guide-de-screen.pdf")
    page = text[text.index("Diesen Wegweiser gibt es in diesen Sprachen"):]
    assert f"{status['ar']['percent']:.0f} % · Entwurf" in page  # partly translated, a draft
    # the state is an input of every PDF: a catalog change that changes it rebuilds German too
    po = mini / "translations/ar/LC_MESSAGES/guide.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "التسجيل"', 'msgstr ""', 1), encoding="utf-8")
    result = cli(mini, "build")
    assert result.exit_code == 0 and "built 2" in result.output, result.output
