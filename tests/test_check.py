"""`kkguide check`: damaged translations are reported with file and line, and never printed."""

from __future__ import annotations

import polib
import pytest

from kkguide.checks import problems
from pdfcheck import plain_text

AR = "translations/ar/LC_MESSAGES/guide.po"
DAMAGE = {
    # msgid: (damaged Arabic translation, expected problem)
    "**Tipp:** Rufen Sie vorher an: {{kreis.phone}}.":
        ("**نصيحة:** اتصلوا قبل ذلك: 02821 99-0.", "fact references differ"),
    "Schreiben Sie an {{kreis.email}} oder lesen Sie {{kreis.url}}.":
        ("اكتبوا إلى {{kreis.email}}.", "fact references differ"),
    "Bringen Sie Ihren **Pass** mit.":
        ("أحضروا **جواز السفر* معكم.", "Markdown differs"),
}


def _damage(root):
    po = polib.pofile(str(root / AR), wrapwidth=0)
    for msgid, (msgstr, _) in DAMAGE.items():
        po.find(msgid).msgstr = msgstr
    po.save()


def test_check_reports_file_line_language(mini, cli):
    assert cli(mini, "check").exit_code == 0
    _damage(mini)
    result = cli(mini, "check")
    assert result.exit_code == 1
    lines = (mini / AR).read_text(encoding="utf-8").split("\n")
    reported = [ln for ln in result.output.splitlines() if ln.startswith(AR)]
    assert len(reported) >= 3
    for msgid, (msgstr, expected) in DAMAGE.items():
        hits = [ln for ln in reported if expected in ln and lines[int(ln.split(":")[1]) - 1] == f'msgstr "{msgstr}"']
        assert hits, (msgid, reported)
        assert all(": ar: " in ln for ln in hits)


def test_damaged_translations_are_not_printed(mini, cli):
    _damage(mini)
    result = cli(mini, "build", "--lang", "ar")
    assert result.exit_code == 0
    text = plain_text(mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf")
    assert "02821 99-0" not in text and "02821 85-0" in text
    assert "Bringen Sie Ihren Pass mit." in text  # German shown instead of broken bold
    assert "Schreiben Sie an" in text


@pytest.mark.parametrize("msgid, msgstr, expected", [
    ("Seit 2024 gilt das.", "Since 2025 this applies.", "numbers differ"),
    ("Seit 2024 gilt das.", "منذ ٢٠٢٤ ينطبق ذلك.", None),          # Eastern Arabic digits are the same number
    ("Lesen Sie [mehr](https://www.bamf.de).", "Read [more](https://evil.example).", "Markdown differs"),
    ("Ein Satz.", "One <b>sentence</b>.", "HTML"),
    ("Ein Satz.", "# One sentence.", "line syntax"),
    ("Ein Satz.", "One\n\nsentence.", "line break"),
    ("Schreiben Sie an info@kreis-kleve.de.", "Write to info@evil.example.", "URLs or e-mails differ"),
    ("Das ist **wichtig** und *neu*.", "This is *new* and **important**.", None),  # order may change
])
def test_problems(msgid, msgstr, expected):
    found = problems(msgid, msgstr)
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found
