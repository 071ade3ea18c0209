"""Translation QA beyond pofilter: wrong language (lingua), spelling (hunspell), glossary (+ TBX)."""

from __future__ import annotations

import polib
from lxml import etree

from conftest import REPO, tool
from kkguide.checks import prose
from kkguide.langcheck import wrong_language

AR = "translations/ar/LC_MESSAGES/guide.po"
ADDRESS = "Die Kreisverwaltung finden Sie hier: {{kreis.address}}."
TIP = "**Tipp:** Rufen Sie vorher an: {{kreis.phone}}."
PARA = "Melden Sie Ihre Wohnung innerhalb von zwei Wochen an. Das Bürgerbüro hilft Ihnen."
GUIDE_LANGS = ("en", "ar", "uk", "tr", "nl", "fr", "pl", "ro", "bg", "ru", "fa", "ps", "ckb", "ti", "so")


def _set(root, msgid: str, msgstr: str) -> int:
    po = polib.pofile(str(root / AR), wrapwidth=0)
    po.find(msgid).msgstr = msgstr
    po.save()
    lines = (root / AR).read_text(encoding="utf-8").split("\n")
    return next(i + 1 for i, line in enumerate(lines) if line.startswith("msgstr") and msgstr[:20] in line)


def _glossary(root, text: str) -> None:
    (root / "guide/glossary.yml").write_text(text, encoding="utf-8")


def test_wrong_language_is_caught_and_located(mini, cli):
    assert cli(mini, "check", "--no-spelling").exit_code == 0
    english = _set(mini, ADDRESS, "You will find the district administration office here: {{kreis.address}}.")
    german = _set(mini, PARA, "Bitte kommen Sie rechtzeitig zum Termin und bringen Sie alle Unterlagen mit.")
    result = cli(mini, "check", "--no-spelling")
    assert result.exit_code == 1
    assert f"{AR}:{english}: ar: wrong language: this reads as English" in result.output
    assert f"{AR}:{german}: ar: wrong language: this reads as German" in result.output
    copy = _set(mini, TIP, TIP)
    result = cli(mini, "check", "--no-spelling")
    assert f"{AR}:{copy}: ar: wrong language: this reads as the German source, copied unchanged" in result.output


def test_legitimate_german_in_a_translation_is_not_flagged():
    cases = [
        ("ar", PARA, "سجّلوا مسكنكم خلال أسبوعين. يساعدكم مكتب خدمة المواطنين (Bürgerbüro) في Kleve."),
        ("fa", "Die Ausländerbehörde (Nassauerallee 22) hilft.", "ادارهٔ اتباع خارجی (Ausländerbehörde, Nassauerallee 22) کمک می‌کند."),
        ("ti", "Rufen Sie {{kreis.phone}} an (Ausländerbehörde Kreis Kleve, Welcome-Center).",
         "ናብ {{kreis.phone}} ደውሉ (Ausländerbehörde Kreis Kleve, Welcome-Center)።"),
        ("uk", "Registrierung nach § 17 BMG bei der Meldebehörde in Emmerich am Rhein.",
         "Реєстрація за § 17 BMG у відділі реєстрації (Meldebehörde) в Emmerich am Rhein."),
    ]
    for lang, msgid, msgstr in cases:
        assert wrong_language(lang, GUIDE_LANGS, prose(msgid, msgstr)) is None, (lang, msgstr)
    # a language lingua does not know is still checked for German prose in Latin script
    assert wrong_language("ti", GUIDE_LANGS, "Bitte kommen Sie rechtzeitig zum Termin und bringen Sie alles mit.") == "German"


def test_glossary_term_missing_is_reported_not_refused(mini, cli):
    _glossary(mini, "Bürgerbüro:\n  ar: مكتب خدمة المواطنين\n")
    assert cli(mini, "check", "--no-spelling").exit_code == 0
    line = _set(mini, PARA, "سجّلوا مسكنكم خلال أسبوعين. تساعدكم البلدية.")
    result = cli(mini, "check", "--no-spelling")
    assert result.exit_code == 0     # reported, not refused
    assert f"{AR}:{line}: ar: glossary: 'Bürgerbüro' is 'مكتب خدمة المواطنين' in this language (guide/glossary.yml:1)" \
        in result.output
    assert cli(mini, "build", "--lang", "ar").exit_code == 0


def test_glossary_with_unknown_language_is_a_located_error(mini, cli):
    _glossary(mini, "Bürgerbüro:\n  ar: مكتب\n  xx: nope\n")
    result = cli(mini, "check")
    assert result.exit_code == 1
    assert "guide/glossary.yml:3: 'Bürgerbüro' names language 'xx'" in result.stderr


def test_tbx_export_is_read_by_translate_toolkit_and_well_formed(cli, tmp_path):
    out = tmp_path / "glossary.tbx"
    result = cli(REPO, "glossary", "--tbx", str(out))
    assert result.exit_code == 0, result.output
    tool("xmllint", "--noout", "--nonet", str(out))
    tree = etree.parse(str(out))
    entries = tree.findall(".//termEntry")
    assert len(entries) >= 9
    first = {ls.get("{http://www.w3.org/XML/1998/namespace}lang"): ls.findtext(".//term") for ls in entries[0].findall("langSet")}
    assert first["de"] == "Ausländerbehörde" and first["en"] == "immigration office"
    from translate.storage import tbx

    store = tbx.tbxfile.parsestring(out.read_bytes())
    assert "Bürgerbüro" in {u.source for u in store.units}


def test_planted_misspelling_is_reported_with_file_and_line(tmp_path, cli):
    import shutil

    root = tmp_path / "guide"
    for part in ("guide", "chapters", "translations", "styles"):
        shutil.copytree(REPO / part, root / part)
    po_path = root / "translations/en/LC_MESSAGES/guide.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    entry = po.find("Herzlich willkommen")
    entry.msgstr = "A warm wellcome"
    po.save()
    lines = po_path.read_text(encoding="utf-8").split("\n")
    line = next(i + 1 for i, text in enumerate(lines) if text == 'msgstr "A warm wellcome"')
    result = cli(root, "check", "--lang", "en")
    assert f"translations/en/LC_MESSAGES/guide.po:{line}: en: spelling (report only): wellcome" in result.output
    assert result.exit_code == 0      # spelling never blocks
