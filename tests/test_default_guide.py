"""The embedded default guide: every language builds, complete, checked with real tools."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from kkguide.project import load_project
from kkguide.cli import main
from pdfcheck import check_press_basics, plain_text
from conftest import REPO

PROJECT = load_project(REPO)
LANGS = [lang.code for lang in PROJECT.config.languages]
# Every language of the default guide is complete: a booklet that is part German helps nobody.
COMPLETE = LANGS
RIGHT_TO_LEFT = {"ar", "fa", "prs", "ps", "ckb"}


def _comparable(text: str) -> str:
    """Text without bidi marks, combining marks, spaces and parentheses: how a PDF's text can be
    compared (pdftotext returns the parentheses of "Kurdî (Kurmancî)" on a right-to-left page
    mirrored, ")Kurmancî(", although the page shows them right: checked with pdftoppm)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "()"
                   and unicodedata.category(ch) not in ("Mn", "Cf"))


def _arabic(text: str) -> str:
    return "".join(ch for ch in text if "\u0600" <= ch <= "\u06ff")


@pytest.fixture(scope="module")
def built(default_build) -> Path:
    """The session's build of the default guide as shipped (conftest.default_build)."""
    assert ", skipped 0," in default_build.output
    return default_build.dist


def test_guide_has_the_languages_and_chapters_it_promises():
    assert len(LANGS) >= 16
    assert len(PROJECT.chapters) >= 12
    assert {c for c in LANGS if PROJECT.config.language(c).direction == "rtl"} == RIGHT_TO_LEFT & set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_pdf_is_complete_and_checked(built: Path, lang: str):
    pdf = built / f"{lang}/kreis-kleve-welcome-guide-{lang}-screen.pdf"
    check_press_basics(pdf, lang, min_pages=24)
    text = _comparable(plain_text(pdf))
    titles = [c.title for c in PROJECT.chapters]
    if lang != "de":
        po = polib.pofile(str(REPO / f"translations/{lang}/LC_MESSAGES/guide.po"))
        titles = [po.find(t).msgstr or t for t in titles]
    if PROJECT.config.language(lang).direction == "rtl":
        # pdftotext returns mixed-direction lines, and letters with tashkil, in visual pieces:
        # compare the Arabic-script words without combining marks, one by one
        titles = [w for t in titles for w in t.split()
                  if _arabic(w) == w and not any(unicodedata.category(c) == "Mn" for c in w)]
    for title in titles:
        assert _comparable(title) in text, (lang, title)
    for other in PROJECT.config.languages:  # the languages page, each in its own script
        assert _comparable(other.name) in text, (lang, other.name)


def test_manifest_lists_every_pdf_with_honest_coverage(built: Path):
    manifest = json.loads((built / "manifest.json").read_text())
    by_lang = {a["language"]: a for a in manifest["artifacts"] if a["edition"] == "screen"}
    assert sorted((a["language"], a["edition"]) for a in manifest["artifacts"]) == \
        sorted((lang, edition) for lang in LANGS for edition in ("print", "screen"))   # the default editions
    assert sorted(by_lang) == sorted(LANGS)
    for lang, artifact in by_lang.items():
        cov = artifact["coverage"]
        assert artifact["pages"] >= 24
        assert cov["fuzzy"] == 0 and cov["untranslated"] == 0, lang


def test_every_shipped_translation_passes_check():
    result = CliRunner().invoke(main, ["check", "-C", str(REPO)])
    assert result.exit_code == 0, result.output


def test_status_counts_every_target_language():
    result = CliRunner().invoke(main, ["status", "-C", str(REPO), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["language"]: r for r in json.loads(result.output)}
    assert sorted(rows) == sorted(LANGS)
    for code, row in rows.items():
        assert row["draft"] is True
        assert row["source"] == (code == "de")
        if code in COMPLETE:
            assert row["translated"] == row["messages"]


@pytest.mark.slow
def test_edited_german_paragraph_shows_marked_in_every_language(tmp_path):
    """Issue 3: after a German edit, no language prints the old translation; all show the new German."""
    root = tmp_path / "g"
    for part in ("guide", "chapters", "translations", "styles"):
        shutil.copytree(REPO / part, root / part)
    chapter = root / "chapters/15-notfall.md"
    old = "In einem Notfall zählt jede Minute."
    new = "In einem Notfall zählt jede einzelne Minute."
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["update", "-C", str(root)]).exit_code == 0
    langs = [c for c in LANGS if c != "de"]
    # the screen edition: which text a language prints is chosen before any edition is laid out
    result = runner.invoke(main, ["build", "-C", str(root), "--edition", "screen",
                                  *[a for c in langs for a in ("--lang", c)]])
    assert result.exit_code == 0, result.output
    for code in langs:
        po = polib.pofile(str(root / f"translations/{code}/LC_MESSAGES/guide.po"))
        entry = next(e for e in po if e.msgid.startswith(new))
        assert "fuzzy" in entry.flags and entry.previous_msgid.startswith(old)
        text = _comparable(plain_text(root / f"dist/{code}/kreis-kleve-welcome-guide-{code}-screen.pdf"))
        assert _comparable("In einem Notfall zählt jede einzelne Minute.") in text, code
        assert _comparable(entry.msgstr) not in text, code


@pytest.mark.parametrize("lang", LANGS)
def test_every_print_pdf_passes_preflight(default_build, lang: str):
    from kkguide.preflight import preflight

    report = preflight(default_build.dist / f"{lang}/kreis-kleve-welcome-guide-{lang}-print.pdf")
    assert report.ok, report.text()
