"""Readability of the German source and of German editions (easy German), per chapter.

Measured with textstat, a well-kept library, in its German forms:
- Flesch reading ease after Amstad (1978): 180 − words per sentence − 58.5 × syllables per word;
  0–30 very hard, 60–70 plain, above 70 easy, above 80 very easy.
- Wiener Sachtextformel (Bamberger and Vanecek 1984, first formula): roughly the school year a
  text suits (4 very easy ... 15 very hard).

The text measured is what a reader sees: each message of the chapter as printed in that edition
(fallbacks in German included), Markdown marks removed, fact references counted as one short word.
A heading, list item or table cell without final punctuation counts as a sentence of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .frozen import FrozenMap
from .markdown import FACT_REF

GERMAN = "de"
_MARKS = re.compile(r"\*\*|\*|__|_|`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_END = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class Readability:
    flesch: float           # Flesch reading ease, German (Amstad)
    wstf: float             # Wiener Sachtextformel 1 (school year)
    sentences: int
    words: int

    def as_dict(self) -> dict:
        return {"flesch": self.flesch, "wstf": self.wstf, "sentences": self.sentences, "words": self.words}


def is_german(code: str) -> bool:
    """German and its variants (de-x-easy): the languages the German formulas are made for."""
    return code == GERMAN or code.startswith(GERMAN + "-")


def plain(message: str) -> str:
    text = FACT_REF.sub("Nummer", message)
    text = _LINK.sub(r"\1", text)
    text = _MARKS.sub("", text).strip()
    return text if text.endswith(_END) else text + "."


def score(messages: list[str]) -> Readability:
    from textstat.textstat import textstatistics  # an instance: no module-level language setting

    meter = textstatistics()
    meter.set_lang(GERMAN)
    meter.set_rounding_points(None)
    text = " ".join(plain(m) for m in messages if m.strip())
    if not text:
        return Readability(0.0, 0.0, 0, 0)
    return Readability(round(meter.flesch_reading_ease(text), 1), round(meter.wiener_sachtextformel(text, 1), 1),
                       meter.sentence_count(text), meter.lexicon_count(text))


def chapter_readability(segments, texts: Mapping[str, str]) -> Mapping[str, Readability]:
    """Readability of every chapter (by id) of an edition: ``texts`` maps each message to the text
    printed for it. Only the chapters' own messages count (not the cover or page furniture)."""
    by_chapter: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for seg in segments:
        if not seg.chapter or (seg.chapter, seg.msgid) in seen:
            continue
        seen.add((seg.chapter, seg.msgid))
        by_chapter.setdefault(seg.chapter, []).append(texts.get(seg.msgid, seg.msgid))
    return FrozenMap({cid: score(messages) for cid, messages in by_chapter.items()})


def whole(segments, texts: Mapping[str, str]) -> Readability:
    seen: dict[str, None] = {}
    for seg in segments:
        if seg.chapter:
            seen.setdefault(seg.msgid, None)
    return score([texts.get(m, m) for m in seen])


def policy_problems(config, segments, translation) -> list[str]:
    """Chapters of a German edition below the guide's ``min_readability``, each said in full."""
    minimum = config.min_readability.get(translation.language.code)
    if minimum is None:
        return []
    texts = {m: r.text for m, r in translation.texts.items()}
    return [f"chapter '{cid}' reads at {score.flesch:.1f}, guide.yml min_readability needs {minimum:g}"
            for cid, score in chapter_readability(segments, texts).items() if score.flesch < minimum]
