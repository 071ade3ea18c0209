"""Catalog update keeps every translation; catalogs stay valid for msgfmt -c."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from conftest import REPO, tool, venv_tool

AR = "translations/ar/LC_MESSAGES/guide.po"
PARA = "Melden Sie Ihre Wohnung innerhalb von zwei Wochen an.\nDas Bürgerbüro hilft Ihnen."
PARA_ID = "Melden Sie Ihre Wohnung innerhalb von zwei Wochen an. Das Bürgerbüro hilft Ihnen."
PARA_AR = "سجّلوا مسكنكم خلال أسبوعين. يساعدكم مكتب خدمة المواطنين."


def _entries(root: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(root / AR))}


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "chapters/01-anmelden.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_update_keeps_translations_through_edit_delete_restore(mini, cli):
    assert cli(mini, "update").exit_code == 0
    assert _entries(mini)[PARA_ID].msgstr == PARA_AR

    # 1. edit the German paragraph: the translation turns fuzzy and keeps the previous msgid
    _edit(mini, "zwei Wochen an.", "zwei Wochen nach dem Einzug an.")
    assert cli(mini, "update").exit_code == 0
    edited = _entries(mini)["Melden Sie Ihre Wohnung innerhalb von zwei Wochen nach dem Einzug an. Das Bürgerbüro hilft Ihnen."]
    assert edited.msgstr == PARA_AR and "fuzzy" in edited.flags
    assert edited.previous_msgid == PARA_ID
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / AR))

    # 2. delete the paragraph: the translation is kept as obsolete
    _edit(mini, "Melden Sie Ihre Wohnung innerhalb von zwei Wochen nach dem Einzug an.\nDas Bürgerbüro hilft Ihnen.\n", "")
    assert cli(mini, "update").exit_code == 0
    po = polib.pofile(str(mini / AR))
    assert PARA_AR in {e.msgstr for e in po.obsolete_entries()}
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / AR))

    # 3. restore the original paragraph: its translation comes back, active and not fuzzy
    path = mini / "chapters/01-anmelden.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## Die Wohnung anmelden\n\n", "## Die Wohnung anmelden\n\n" + PARA + "\n"), encoding="utf-8")
    assert cli(mini, "update").exit_code == 0
    restored = _entries(mini)[PARA_ID]
    assert restored.msgstr == PARA_AR and not restored.obsolete and "fuzzy" not in restored.flags
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / AR))


def test_update_keeps_translator_comments_and_headers(mini, cli):
    po = polib.pofile(str(mini / AR), wrapwidth=0)
    po.find("Anmelden").tcomment = "Abstimmen mit dem Glossar"
    po.save()
    assert cli(mini, "update").exit_code == 0
    po = polib.pofile(str(mini / AR))
    assert po.find("Anmelden").tcomment == "Abstimmen mit dem Glossar"
    assert po.metadata["X-Kkguide-Review"] == "draft"
    assert po.metadata["Plural-Forms"].startswith("nplurals=6;")


def test_unchanged_catalog_is_not_rewritten(mini, cli):
    assert cli(mini, "update").exit_code == 0
    before = (mini / AR).stat().st_mtime_ns, (mini / AR).read_bytes()
    pot = (mini / "translations/guide.pot").read_bytes()
    result = cli(mini, "update")
    assert "unchanged" in result.output
    assert ((mini / AR).stat().st_mtime_ns, (mini / AR).read_bytes()) == before
    assert (mini / "translations/guide.pot").read_bytes() == pot


def test_new_language_catalog_is_created_as_draft_and_valid(mini, cli):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text().replace("languages: [de, ar]", "languages: [de, ar, uk]"))
    result = cli(mini, "update", "--lang", "uk")
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(mini / "translations/uk/LC_MESSAGES/guide.po"))
    assert po.metadata["Language"] == "uk" and po.metadata["X-Kkguide-Review"] == "draft"
    assert po.percent_translated() == 0
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / "translations/uk/LC_MESSAGES/guide.po"))


def test_pot_has_context_comments_and_no_python_format(mini, cli):
    cli(mini, "extract")
    pot = polib.pofile(str(mini / "translations/guide.pot"))
    entry = pot.find("Bringen Sie Ihren **Pass** mit.")
    assert entry.comment == 'list item: chapter "Anmelden", section "Die Wohnung anmelden"'
    assert entry.occurrences == [("chapters/01-anmelden.md", "12")]
    cell = pot.find("Polizei", msgctxt="table cell")
    assert cell.comment.endswith('column "Wer hilft?"') and cell.occurrences == [("chapters/02-notruf.md", "11")]
    template = (mini / "styles/guide.html.j2").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(template, start=1) if '_("Polizei")' in text)
    assert pot.find("Polizei", msgctxt="page furniture").occurrences == [("styles/guide.html.j2", str(line))]
    assert all(e.msgctxt for e in pot if e.msgid == "Polizei")   # two roles: two messages, no bare one
    assert "copy it unchanged" in pot.find("**Tipp:** Rufen Sie vorher an: {{kreis.phone}}.").comment
    assert all("python-format" not in e.flags for e in pot)
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / "translations/guide.pot"))


@pytest.mark.parametrize("po", sorted(p.relative_to(REPO) for p in (REPO / "translations").glob("*/LC_MESSAGES/*.po")),
                         ids=str)
def test_every_shipped_catalog_passes_msgfmt_check(po: Path):
    tool("msgfmt", "-c", "-o", "/dev/null", str(REPO / po))


# pofilter tests that fit this guide. Left out, with reasons: brackets (translations add the German
# office name in parentheses on purpose), numbers (localised digit grouping such as 321,000 is right;
# kkguide's own check compares digit runs), startpunc/endpunc (misfire on the Arabic question mark
# and on a leading **bold**), simplecaps/singlequoting (misfire on German).
POFILTER_TESTS = ["urls", "emails", "xmltags", "newlines", "escapes", "doublespacing",
                  "startwhitespace", "endwhitespace", "variables"]


@pytest.mark.parametrize("po", sorted(p.relative_to(REPO) for p in (REPO / "translations").glob("*/LC_MESSAGES/*.po")),
                         ids=str)
def test_every_shipped_catalog_passes_pofilter(po: Path, tmp_path):
    out = tmp_path / "failures.po"
    args = [venv_tool("pofilter"), "--nofuzzy", "--progress=none"] + [f"-t{t}" for t in POFILTER_TESTS]
    tool(*args, str(REPO / po), str(out))
    failures = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("# (pofilter)")] \
        if out.exists() else []
    assert failures == []
