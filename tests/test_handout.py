"""Personalised handout: chosen chapters, the counsellor's contact and the date on the back."""

from __future__ import annotations

import re

from pdfcheck import plain_text
from conftest import tool


def _pdf(output: str) -> str:
    return output.split(":")[0]


def test_handout_with_chosen_chapters_and_contact(mini, cli):
    result = cli(mini, "handout", "--lang", "ar", "--chapters", "emergency",
                 "--counsellor", "Amina Yilmaz, Raum 112, 02821 85-0", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    path = _pdf(result.output)
    assert path.startswith(str(mini / "dist/handouts/handout-ar-2026-11-25-"))
    text = plain_text(path)
    assert "Amina Yilmaz, Raum 112, 02821 85-0" in text
    assert "أرقام الطوارئ" in text                 # the chosen chapter, in Arabic
    assert "أين تسجّلون مسكنكم" not in text         # a chapter not chosen
    pages = int(re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", path), re.M).group(1))
    assert pages < 8


def test_handout_from_a_profile(mini, cli):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text() + "handout_profiles:\n  first: [registration, emergency]\n")
    result = cli(mini, "handout", "--lang", "de", "--profile", "first", "--counsellor", "Herr Beispiel")
    assert result.exit_code == 0, result.output
    assert "chapters registration, emergency" in result.output
    text = plain_text(_pdf(result.output))
    assert "Die Wohnung anmelden" in text and "Notrufnummern" in text and "Herr Beispiel" in text


def test_handout_errors_are_clear(mini, cli):
    unknown = cli(mini, "handout", "--lang", "de", "--chapters", "nope", "--counsellor", "X")
    assert unknown.exit_code == 1 and "unknown chapter 'nope' (chapters: registration, emergency)" in unknown.stderr
    both = cli(mini, "handout", "--lang", "de", "--chapters", "emergency", "--profile", "x", "--counsellor", "X")
    assert both.exit_code == 1 and "not both" in both.stderr
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text() + "handout_profiles:\n  bad: [registration, fehlt]\n")
    profile = cli(mini, "handout", "--lang", "de", "--profile", "bad", "--counsellor", "X")
    assert profile.exit_code == 1
    assert re.match(r"guide/guide.yml:\d+: handout profile 'bad' names chapter 'fehlt'", profile.stderr)
