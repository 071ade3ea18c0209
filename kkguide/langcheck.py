"""Is a translation in its language? Language identification with lingua (lingua-language-detector).

What is tested is the translator's own prose (``checks.prose``): fact references, URLs, Markdown,
numbers, text in parentheses (the German office names the guide asks for) and every word that
also stands in the German source (names, towns, German terms) are taken out first, and a text
shorter than ``MIN_LETTERS`` letters is not judged. lingua chooses among a small set only: the
target language, German and English (the likely slips: an untranslated or pivot-language
text), and the guide's other languages of the same script. A language lingua does not know
(Pashto, Sorani, Tigrinya, Kurmanji) is checked only for German or English prose in Latin script.

``kkguide check`` reports a finding with file:line; the build does not run this check (loading
the models costs seconds per language, see README "Checks on translations").
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MIN_LETTERS = 25
MIN_CONFIDENCE = 0.9
# kkguide code -> lingua ISO 639-1 code (prs: Dari is Persian; de-x-easy: German)
LINGUA_CODES = {"prs": "fa", "de-x-easy": "de"}


def _script(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = name.split(" ")[0] if name else ""
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get) if counts else ""


@lru_cache(maxsize=None)
def _language(code: str):
    from lingua import IsoCode639_1, Language

    iso = LINGUA_CODES.get(code, code)
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(iso))
    except (ValueError, AttributeError):
        return None


@lru_cache(maxsize=None)
def _detector(candidates: tuple[str, ...]):
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*[_language(c) for c in candidates]).build()


def candidates(target: str, guide_languages: tuple[str, ...], script: str) -> tuple[str, ...]:
    """The languages lingua may choose from for a text of ``script`` meant to be ``target``."""
    known = [target] if _language(target) is not None else []
    for code in ("de", "en", *guide_languages):
        lang = _language(code)
        if lang is None or code in known or LINGUA_CODES.get(code, code) in {LINGUA_CODES.get(k, k) for k in known}:
            continue
        if code in ("de", "en") or _script_of(code) == script:
            known.append(code)
    return tuple(known)


SCRIPTS = {"ar": "ARABIC", "fa": "ARABIC", "prs": "ARABIC", "ps": "ARABIC", "ckb": "ARABIC", "ur": "ARABIC",
           "uk": "CYRILLIC", "ru": "CYRILLIC", "bg": "CYRILLIC", "ti": "ETHIOPIC"}


def _script_of(code: str) -> str:
    return SCRIPTS.get(code, "LATIN")


def wrong_language(target: str, guide_languages: tuple[str, ...], prose: str) -> str | None:
    """The language lingua finds instead of ``target`` (its name), or None."""
    letters = sum(1 for ch in prose if ch.isalpha())
    if letters < MIN_LETTERS:
        return None
    script = _script(prose)
    if _language(target) is None and script != "LATIN":
        return None                  # lingua cannot judge this language; its own script is fine
    choice = candidates(target, guide_languages, script)
    if len(choice) < 2:
        return None
    values = _detector(choice).compute_language_confidence_values(prose)
    best = values[0]
    if best.value < MIN_CONFIDENCE or best.language == _language(target):
        return None
    if _language(target) is None and best.language not in (_language("de"), _language("en")):
        return None    # a language lingua does not know resembles some other one: only German/English count
    return best.language.name.capitalize()
