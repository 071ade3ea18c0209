"""Hand-off: export PO/XLIFF, import the returned file through the checks, report what is not taken."""

from __future__ import annotations

import polib
import pytest

from conftest import tool

AR = "translations/ar/LC_MESSAGES/guide.po"
MISSING = "Die Kreisverwaltung finden Sie hier: {{kreis.address}}."


@pytest.mark.parametrize("fmt, suffix", [("po", "po"), ("xliff", "xlf")])
def test_export_then_import_unchanged_is_a_no_op(mini, cli, tmp_path, fmt, suffix):
    assert cli(mini, "update").exit_code == 0
    before = (mini / AR).read_bytes()
    result = cli(mini, "translate", "export", "--lang", "ar", "--format", fmt, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    exported = tmp_path / f"guide-ar.{suffix}"
    if fmt == "xliff":
        tool("xmllint", "--noout", str(exported))
        assert 'state="new"' in exported.read_text() and 'target-language="ar"' in exported.read_text()
    result = cli(mini, "translate", "import", "--lang", "ar", str(exported))
    assert result.exit_code == 0, result.output
    assert "imported 0," in result.output
    assert (mini / AR).read_bytes() == before


def test_xliff_import_takes_good_units_and_reports_the_rest(mini, cli, tmp_path):
    assert cli(mini, "update").exit_code == 0
    cli(mini, "translate", "export", "--lang", "ar", "--format", "xliff", "--out", str(tmp_path))
    xlf = tmp_path / "guide-ar.xlf"
    text = xlf.read_text(encoding="utf-8")
    good = "تجدون إدارة المقاطعة هنا: {{kreis.address}}."
    text = text.replace(f"<source>{MISSING}</source>\n        <target state=\"new\"></target>",
                        f"<source>{MISSING}</source>\n        <target state=\"translated\">{good}</target>")
    text = text.replace("نصيحة:** اتصلوا قبل ذلك: {{kreis.phone}}.", "نصيحة:** اتصلوا قبل ذلك: 0800 123.")
    text = text.replace("<source>Anmelden</source>", "<source>Abmelden</source>")
    xlf.write_text(text, encoding="utf-8")
    result = cli(mini, "translate", "import", "--lang", "ar", str(xlf))
    assert result.exit_code == 1
    problems = [ln for ln in result.output.splitlines() if ln.startswith(str(xlf))]
    assert any("fact references differ" in ln for ln in problems)
    assert any("not a message of the current guide" in ln for ln in problems)
    lines = text.split("\n")
    for ln in problems:  # every reported line points at the unit's target or trans-unit
        number = int(ln[len(str(xlf)) + 1:].split(":")[0])
        assert "<target" in lines[number - 1] or "<trans-unit" in lines[number - 1], lines[number - 1]
    assert "imported 1," in result.output
    po = polib.pofile(str(mini / AR))
    assert po.find(MISSING).msgstr == good
    assert po.find("**Tipp:** Rufen Sie vorher an: {{kreis.phone}}.").msgstr.endswith("{{kreis.phone}}.")
    tool("msgfmt", "-c", "-o", "/dev/null", str(mini / AR))


def test_po_import_marks_needs_review_as_fuzzy(mini, cli, tmp_path):
    assert cli(mini, "update").exit_code == 0
    cli(mini, "translate", "export", "--lang", "ar", "--out", str(tmp_path))
    returned = polib.pofile(str(tmp_path / "guide-ar.po"), wrapwidth=0)
    entry = returned.find(MISSING)
    entry.msgstr = "تجدون إدارة المقاطعة هنا: {{kreis.address}}."
    entry.flags.append("fuzzy")
    returned.save()
    result = cli(mini, "translate", "import", "--lang", "ar", str(tmp_path / "guide-ar.po"))
    assert result.exit_code == 0, result.output
    assert "fuzzy" in polib.pofile(str(mini / AR)).find(MISSING).flags


def test_broken_xliff_is_a_located_error(mini, cli, tmp_path):
    bad = tmp_path / "bad.xlf"
    bad.write_text('<?xml version="1.0"?>\n<xliff version="1.2">\n<file>\n<body>\n</file>\n</xliff>\n')
    result = cli(mini, "translate", "import", "--lang", "ar", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"{bad}:5: invalid XLIFF: mismatched tag")
