"""Readability of German editions: measured per chapter, shown by status, enforced by a policy."""

from __future__ import annotations

import json

from badinput import replace
from kkguide.readability import score

EASY = ["Das ist ein Haus.", "Es ist rot.", "Wir gehen nach Hause.", "Die Sonne scheint."]
HARD = ["Die Inanspruchnahme aufenthaltsrechtlicher Beratungsdienstleistungen erfordert grundsätzlich "
        "eine vorherige Terminvereinbarung mit der zuständigen Ausländerbehörde, sofern nicht "
        "ausnahmsweise eine unaufschiebbare Angelegenheit vorliegt."]


def test_amstad_flesch_orders_easy_and_hard_text():
    easy, hard = score(EASY), score(HARD)
    assert easy.flesch > 80 > 20 > hard.flesch, (easy, hard)
    assert easy.wstf < 5 < 12 < hard.wstf
    assert (easy.sentences, hard.sentences) == (4, 1)


def test_status_shows_readability_of_the_german_source_per_chapter(mini, cli):
    result = cli(mini, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["language"]: r for r in json.loads(result.output)}
    assert rows["de"]["source"] is True and "readability" in rows["de"]
    assert "readability" not in rows["ar"]  # the German formula is not for Arabic
    chapters = rows["de"]["chapters"]
    assert all(0 < chapters[c]["readability"]["flesch"] < 121 for c in ("registration", "emergency"))
    text = cli(mini, "status", "--chapters").output
    assert "Flesch" in text and "source (draft)" in text


def test_a_readability_policy_stops_a_too_hard_edition(mini, cli):
    guide = mini / "guide/guide.yml"
    replace(guide, "languages: [de, ar]", "languages: [de, ar]\nmin_readability:\n  de: 99")
    check = cli(mini, "check")
    assert check.exit_code == 1 and "guide/guide.yml:9: de: chapter 'registration' reads at" in check.output
    build = cli(mini, "build", "--lang", "de", "--lang", "ar")
    assert build.exit_code == 0 and "de (Deutsch) not built: chapter '" in build.stderr
    replace(guide, "  de: 99", "  ar: 50")
    bad = cli(mini, "check")
    assert bad.exit_code == 1 and bad.stderr.startswith("guide/guide.yml:9: 'min_readability' names 'ar'")
