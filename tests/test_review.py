"""Review sign-off: per message, void when the German changes; the draft badge goes only when
every printed message is reviewed; status and imprint say who and when."""

from __future__ import annotations

import json

import polib

from kkguide.catalogs import load_catalog
from kkguide.markdown import make_markdown
from kkguide.project import load_project, translation_for
from kkguide.render import render_html
from pdfcheck import plain_text

AR = "translations/ar/LC_MESSAGES/guide.po"


def _html(root) -> str:
    project = load_project(root)
    config = project.config
    lang = config.language("ar")
    translation = translation_for(project, lang, load_catalog(config.files, "ar"))
    return render_html(config, project.facts, project.chapters, translation, config.edition("screen"), make_markdown())


def _status(cli, root) -> dict:
    result = cli(root, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    return next(row for row in json.loads(result.output) if row["language"] == "ar")


def test_partial_review_keeps_the_draft_then_complete_lifts_it(mini, cli):
    assert cli(mini, "update").exit_code == 0
    assert 'class="draft-badge"' in _html(mini)
    result = cli(mini, "review", "--lang", "ar", "--reviewer", "Leila Haddad", "--chapter", "registration",
                 "--date", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert "still without a review" in result.output
    row = _status(cli, mini)
    assert row["draft"] is True and 0 < row["reviewed"] < row["translated"]
    html = _html(mini)
    assert 'class="draft-badge"' in html and "Leila Haddad" not in html

    result = cli(mini, "review", "--lang", "ar", "--reviewer", "Jonas Berg", "--date", "2026-12-05")
    assert result.exit_code == 0, result.output
    assert "the draft badge is lifted" in result.output
    row = _status(cli, mini)
    assert row["draft"] is False and row["reviewed"] == row["translated"]
    html = _html(mini)
    assert 'class="draft-badge"' not in html and 'class="draft-note"' not in html
    assert "<bdi>Jonas Berg, Leila Haddad</bdi>" in html           # both reviewers, latest date
    po = polib.pofile(str(mini / AR))
    assert po.metadata["X-Kkguide-Review"] == "reviewed 2026-12-05 by Jonas Berg, Leila Haddad"
    assert "reviewed 2026-12-03 by Leila Haddad [" in po.find("Anmelden").tcomment
    table = cli(mini, "status").output
    ar_row = next(line for line in table.splitlines() if line.startswith("ar "))
    assert table.splitlines()[0].split()[2] == "reviewed" and ar_row.endswith("reviewed")


def test_a_changed_german_message_loses_its_review(mini, cli):
    assert cli(mini, "update").exit_code == 0
    assert cli(mini, "review", "--lang", "ar", "--reviewer", "Jonas Berg", "--date", "2026-12-05").exit_code == 0
    assert 'class="draft-badge"' not in _html(mini)
    chapter = mini / "chapters/01-anmelden.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("zwei Wochen an.", "zwei Wochen nach dem Einzug an."),
                       encoding="utf-8")
    assert cli(mini, "update").exit_code == 0
    po = polib.pofile(str(mini / AR))
    edited = po.find("Melden Sie Ihre Wohnung innerhalb von zwei Wochen nach dem Einzug an. Das Bürgerbüro hilft Ihnen.")
    assert "fuzzy" in edited.flags and "reviewed" not in edited.tcomment
    assert po.metadata["X-Kkguide-Review"] == "draft"
    # the translator confirms the (unchanged) translation: printed again, but not reviewed
    edited.flags.remove("fuzzy")
    edited.previous_msgid = None
    po.save()
    row = _status(cli, mini)
    assert row["draft"] is True and row["reviewed"] == row["translated"] - 1
    assert 'class="draft-badge"' in _html(mini)


def test_an_edited_translation_loses_its_review(mini, cli):
    assert cli(mini, "update").exit_code == 0
    assert cli(mini, "review", "--lang", "ar", "--reviewer", "Jonas Berg").exit_code == 0
    po = polib.pofile(str(mini / AR), wrapwidth=0)
    po.find("Anmelden").msgstr = "تسجيل"
    po.save()
    row = _status(cli, mini)
    assert row["draft"] is True and row["reviewed"] == row["translated"] - 1


def test_reviewed_pdf_names_reviewer_and_date(mini, cli):
    assert cli(mini, "update").exit_code == 0
    assert cli(mini, "review", "--lang", "ar", "--reviewer", "Jonas Berg", "--date", "2026-12-05").exit_code == 0
    assert cli(mini, "build", "--lang", "ar").exit_code == 0
    text = plain_text(mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf")
    assert "Jonas Berg" in text and "2026" in text


def test_bad_reviewer_and_chapter_are_errors(mini, cli):
    result = cli(mini, "review", "--lang", "ar", "--reviewer", "  ")
    assert result.exit_code == 1 and "--reviewer must be a name" in result.stderr
    result = cli(mini, "review", "--lang", "ar", "--reviewer", "X", "--chapter", "nope")
    assert result.exit_code == 1 and "unknown chapter 'nope'" in result.stderr
    result = cli(mini, "review", "--lang", "de", "--reviewer", "X")
    assert result.exit_code == 1 and "source language" in result.stderr
