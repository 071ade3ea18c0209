"""Stage 5: messages + catalog -> the text to print for each message, and honest coverage.

Fuzzy and untranslated entries are never used: the German source is printed instead and
marked as German. A translation that fails the checks is treated the same way.

Messages are found by ``Key(msgctxt, msgid)``: the same German in two roles can have two
translations. The translation is a draft until every message printed in the target language
carries a valid review (``kkguide review``); reviewers and the latest review date go to the
imprint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from .frozen import FrozenMap
from typing import Iterable, Mapping

from .catalogs import Catalog, UiMessage
from .checks import problems
from .config import Language
from .segments import Key, Segment


@dataclass(frozen=True)
class Rendition:
    text: str
    lang: str          # language of ``text``: the target, or the source language as fallback
    status: str        # source, translated, fuzzy, untranslated, rejected
    origin: str        # file:line the text comes from
    reviewed: bool = False   # translated, and signed off by a reviewer for exactly this text


@dataclass(frozen=True)
class Coverage:
    messages: int = 0
    reviewed: int = 0        # of the translated ones
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

    def add(self, status: str, words: int, reviewed: bool = False) -> "Coverage":
        fields = dict(self.__dict__)
        fields["messages"] += 1
        fields["reviewed"] += int(reviewed)
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
    texts: Mapping[Key, Rendition]
    coverage: Coverage
    chapters: Mapping[str, Coverage]    # chapter id -> coverage; "" for guide/page furniture
    draft: bool
    reviewers: tuple[str, ...] = ()     # who signed off the printed messages (when not a draft)
    reviewed_on: dt.date | None = None  # the latest of their sign-offs

    def get(self, msgid: str, role: str | None = None) -> Rendition:
        """The text for ``msgid`` in ``role`` (a Segment kind): its own message where the same
        German has several roles, else the one message for that German."""
        found = self.texts.get(Key(role, msgid)) if role is not None else None
        return found if found is not None else self.texts[Key(None, msgid)]


def _rendition(key: Key, catalog: Catalog | None, lang: str, source: str, fallback_origin: str) -> Rendition:
    msgid = key.msgid
    if catalog is None:
        return Rendition(msgid, source, "source", fallback_origin)
    entry = catalog.entries.get(key)
    if entry is None or not entry.msgstr:
        return Rendition(msgid, source, "untranslated", fallback_origin)
    if entry.fuzzy:
        return Rendition(msgid, source, "fuzzy", fallback_origin)
    if problems(msgid, entry.msgstr):
        return Rendition(msgid, source, "rejected", f"{catalog.path}:{entry.line}")
    return Rendition(entry.msgstr, lang, "translated", f"{catalog.path}:{entry.line}", entry.review is not None)


def translate(language: Language, source_language: str, segments: Iterable[Segment],
              ui: Iterable[UiMessage], catalog: Catalog | None) -> Translation:
    """Every message of the guide in ``language``; ``catalog`` is None for the source language."""
    texts: dict[Key, Rendition] = {}
    chapters: dict[str, Coverage] = {}
    total = Coverage()
    items = [(s.key, s.chapter, f"{s.path}:{s.line}") for s in segments]
    items += [(u.key, "", f"{u.path}:{u.line}") for u in ui]
    for key, chapter, origin in items:
        if key in texts:
            continue
        rendition = _rendition(key, catalog, language.code, source_language, origin)
        texts[key] = rendition
        words = len(key.msgid.split())
        total = total.add(rendition.status, words, rendition.reviewed)
        chapters[chapter] = chapters.get(chapter, Coverage()).add(rendition.status, words, rendition.reviewed)
    printed = [r for r in texts.values() if r.status == "translated"]
    draft = catalog is not None and (not printed or not all(r.reviewed for r in printed))
    reviews = [] if draft or catalog is None else [
        catalog.entries[k].review for k, r in texts.items() if r.status == "translated"]
    return Translation(language=language, source_language=source_language,
                       texts=FrozenMap(texts), coverage=total,
                       chapters=FrozenMap(chapters), draft=draft,
                       reviewers=tuple(sorted({r.reviewer for r in reviews})),
                       reviewed_on=max((r.day for r in reviews), default=None))
