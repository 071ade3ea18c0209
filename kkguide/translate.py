"""Stage 5: messages + catalog -> the text to print for each message, and honest coverage.

Fuzzy and untranslated entries are never used: the German source is printed instead and
marked as German. A translation that fails the checks is treated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from .frozen import FrozenMap
from typing import Iterable, Mapping

from .catalogs import Catalog, UiMessage
from .checks import problems
from .config import Language
from .segments import Segment


@dataclass(frozen=True)
class Rendition:
    text: str
    lang: str          # language of ``text``: the target, or the source language as fallback
    status: str        # source, translated, fuzzy, untranslated, rejected
    origin: str        # file:line the text comes from


@dataclass(frozen=True)
class Coverage:
    messages: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    rejected: int = 0
    words: int = 0
    translated_words: int = 0
    fuzzy_words: int = 0
    untranslated_words: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.messages if self.messages else 100.0

    @property
    def fallbacks(self) -> int:
        return self.messages - self.translated

    def add(self, status: str, words: int) -> "Coverage":
        fields = dict(self.__dict__)
        fields["messages"] += 1
        fields["words"] += words
        bucket = {"source": "translated", "translated": "translated", "fuzzy": "fuzzy",
                  "untranslated": "untranslated", "rejected": "untranslated"}[status]
        fields[bucket] += 1
        fields[f"{bucket}_words"] += words
        if status == "rejected":
            fields["rejected"] += 1
        return Coverage(**fields)


@dataclass(frozen=True)
class Translation:
    language: Language
    source_language: str
    texts: Mapping[str, Rendition]
    coverage: Coverage
    chapters: Mapping[str, Coverage]    # chapter id -> coverage; "" for guide/page furniture
    draft: bool

    def get(self, msgid: str) -> Rendition:
        return self.texts[msgid]


def _rendition(msgid: str, catalog: Catalog | None, lang: str, source: str, fallback_origin: str) -> Rendition:
    if catalog is None:
        return Rendition(msgid, source, "source", fallback_origin)
    entry = catalog.entries.get(msgid)
    if entry is None or not entry.msgstr:
        return Rendition(msgid, source, "untranslated", fallback_origin)
    if entry.fuzzy:
        return Rendition(msgid, source, "fuzzy", fallback_origin)
    if problems(msgid, entry.msgstr):
        return Rendition(msgid, source, "rejected", f"{catalog.path}:{entry.line}")
    return Rendition(entry.msgstr, lang, "translated", f"{catalog.path}:{entry.line}")


def translate(language: Language, source_language: str, segments: Iterable[Segment],
              ui: Iterable[UiMessage], catalog: Catalog | None) -> Translation:
    """Every message of the guide in ``language``; ``catalog`` is None for the source language."""
    texts: dict[str, Rendition] = {}
    chapters: dict[str, Coverage] = {}
    total = Coverage()
    items = [(s.msgid, s.chapter, f"{s.path}:{s.line}") for s in segments]
    items += [(u.msgid, "", f"{u.path}:{u.line}") for u in ui]
    for msgid, chapter, origin in items:
        if msgid in texts:
            continue
        rendition = _rendition(msgid, catalog, language.code, source_language, origin)
        texts[msgid] = rendition
        words = len(msgid.split())
        total = total.add(rendition.status, words)
        chapters[chapter] = chapters.get(chapter, Coverage()).add(rendition.status, words)
    return Translation(language=language, source_language=source_language,
                       texts=FrozenMap(texts), coverage=total,
                       chapters=FrozenMap(chapters),
                       draft=catalog.is_draft if catalog is not None else False)
