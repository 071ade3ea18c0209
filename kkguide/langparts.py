"""Language of parts: German inside a translation, found and marked (PDF/UA-1 7.2, WCAG 3.1.2).

Translators write German terms as the German source writes them, usually in parentheses
("مكتب شؤون الأجانب (Ausländerbehörde)"), and keep names (Kleve, Welcome-Center) as they are.
A screen reader speaks such a run with the voice of the document's language unless it is marked.
This module finds the runs; the renderer (a markdown-it core rule, ``core_rule``) wraps each in
``<span lang="de">``, which the PDF hook (``tagging``) turns into ``/Lang`` and the web edition
keeps as it is.

- In a language not written in Latin script (Arabic, Cyrillic, Ethiopic script), a run of
  Latin-script words is German when it stands, as written, in the German source of the guide.
- In a Latin-script language, a parenthesised text is German when it stands, as written, in the
  German source; so is every German term of the guide wherever it appears, as a whole word with
  its capitals: the German terms of ``guide/glossary.yml`` (kkguide.glossary) when it has any,
  else the bold terms of the German chapters; and always the names of guide/contacts.yml and of
  the publisher.

Facts (phones, e-mails, addresses) are marked by the fact renderer, German fallback text by the
block it stands in; German editions (de, de-x-easy) mark nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


GERMAN = "de"
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
# a Latin-script word (letters, with digits, apostrophes, dots and hyphens inside), and a run of
# such words separated by spaces
_WORD = f"[{_LETTER}](?:[{_LETTER}0-9'’.\\-]*[{_LETTER}0-9])?"
_RUN = re.compile(f"{_WORD}(?:[ \u00a0]+{_WORD})*")
_PARENS = re.compile(r"\(([^()]+)\)")
_STOP = {"Tipp", "Hinweis", "Achtung", "Beispiel"}   # labels, not terms
MIN_TERM = 4


@dataclass(frozen=True)
class GermanSource:
    """What the German source says: its plain text, and the guide's German terms."""

    text: str                     # every German message as plain text, one per line
    terms: tuple[str, ...]        # longest first
    stems: frozenset[str] = frozenset()   # the German words without their inflection endings

    seen: dict = field(default_factory=dict, compare=False, hash=False, repr=False)  # has(), answered

    def has(self, phrase: str) -> bool:
        """Whether ``phrase`` stands in the German text as written, as whole words."""
        known = self.seen.get(phrase)
        if known is None:
            known = self.seen[phrase] = _whole_words_in(phrase, self.text)
        return known


def _is_letter(ch: str) -> bool:
    """``ch`` is in _LETTER (the Latin letters a German word is made of)."""
    o = ord(ch)
    return (65 <= o <= 90 or 97 <= o <= 122 or 0xC0 <= o <= 0xD6 or 0xD8 <= o <= 0xF6
            or 0xF8 <= o <= 0x24F or 0x1E00 <= o <= 0x1EFF)


def _whole_words_in(phrase: str, text: str) -> bool:
    """``phrase`` stands in ``text`` with no letter of _LETTER right before or after it (the
    regex ``(?<![_LETTER])phrase(?![_LETTER])``, without compiling one pattern per phrase)."""
    at = text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        if (at == 0 or not _is_letter(text[at - 1])) and (end == len(text) or not _is_letter(text[end])):
            return True
        at = text.find(phrase, at + 1)
    return False


@dataclass(frozen=True)
class Parts:
    """How to find German in the messages of one document."""

    source: GermanSource
    latin: bool                   # the document's language is written in Latin script


def german_source(md: MarkdownIt, texts: Iterable[str], names: Iterable[str], glossary: Sequence[str]) -> GermanSource:
    """The German source: ``texts`` (German messages, Markdown), ``names`` (institutions,
    publisher), ``glossary`` (its terms; without them, the bold terms of ``texts``)."""
    plain, bold = [], []
    for text in texts:
        tokens = md.parseInline(text, {"facts": None})[0].children or []
        plain.append("".join(t.content for t in tokens if t.type in ("text", "code_inline")))
        inside = False
        for t in tokens:
            if t.type == "strong_open":
                inside, found = True, []
            elif t.type == "strong_close" and inside:
                inside = False
                bold.append("".join(found))
            elif inside and t.type == "text":
                found.append(t.content)
    terms = set(glossary) if glossary else {b.strip().rstrip(":").strip() for b in bold if _is_term(b.strip().rstrip(":"))}
    names = [n.strip() for n in names if n.strip()]
    terms |= set(names) | {w for n in names for w in n.split() if w[:1].isupper() and len(w) >= MIN_TERM}
    text = "\n".join(plain)
    stems = frozenset(_stem(w) for w in re.findall(_WORD, text) if len(w) >= MIN_TERM)
    return GermanSource(text, tuple(sorted(terms, key=lambda t: (-len(t), t))), stems)


_ENDINGS = ("en", "er", "es", "em", "e", "n", "s")


def _stem(word: str) -> str:
    """A German word without its inflection ending ("Kommunalen", "Kommunales" -> "kommunal")."""
    low = word.lower()
    for ending in _ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= MIN_TERM:
            return low[:-len(ending)]
    return low


def _is_term(text: str) -> bool:
    words = text.split()
    return (1 <= len(words) <= 4 and text[:1].isupper() and len(text) >= MIN_TERM and text not in _STOP
            and not any(ch.isdigit() for ch in text))


def is_latin_script(sample: str) -> bool:
    """Whether the letters of ``sample`` (a language's own name) are mostly Latin."""
    letters = [ch for ch in sample if ch.isalpha()]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return bool(letters) and latin * 2 > len(letters)


def find_german(text: str, parts: Parts) -> list[tuple[int, int]]:
    """The German runs of ``text`` (a piece of a translation), as (start, end) offsets."""
    if parts.latin:
        found = []
        for m in _PARENS.finditer(text):
            inner = m.group(1).strip()
            if re.search(f"[{_LETTER}]", inner) and parts.source.has(inner):
                start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
                found.append((start, start + len(inner)))
        for term in parts.source.terms:
            if term not in text:   # the regex needs the term as a substring: most terms are not there
                continue
            for m in re.finditer(f"(?<![{_LETTER}]){re.escape(term)}(?![{_LETTER}])", text):
                if not any(a < m.end() and m.start() < b for a, b in found):
                    found.append((m.start(), m.end()))
        return sorted(found)
    found = []
    for m in _RUN.finditer(text):
        found.extend(_known_parts(m.group(), m.start(), parts.source))
    return found


def _known_parts(run: str, offset: int, source: GermanSource) -> list[tuple[int, int]]:
    """The longest pieces of a run of words that stand in the German source, left to right."""
    words = [(m.start(), m.end()) for m in re.finditer(_WORD, run)]
    found, i = [], 0
    while i < len(words):
        for j in range(len(words), i, -1):
            start, end = words[i][0], words[j - 1][1]
            if source.has(run[start:end]):
                found.append((offset + start, offset + end))
                i = j
                break
        else:
            # a German word inflected otherwise than in the source ("Kommunales Integrationszentrum"
            # for "beim Kommunalen Integrationszentrum")
            word = run[words[i][0]:words[i][1]]
            if len(word) >= MIN_TERM and _stem(word) in source.stems:
                found.append((offset + words[i][0], offset + words[i][1]))
            i += 1
    # neighbouring words found one by one make one run
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and run[merged[-1][1] - offset:a - offset].strip() == "":
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def core_rule(state: StateCore) -> None:
    """markdown-it core rule: text tokens of a translation split around their German runs, each
    run between ``lang_open``/``lang_close`` tokens (rendered as ``<span lang="de">``).
    ``env["lang_parts"]`` (a Parts) turns it on for one message."""
    parts = state.env.get("lang_parts") if isinstance(state.env, dict) else None
    if parts is None:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _split(token.children, parts)


def _split(children: list[Token], parts: Parts) -> list[Token]:
    out: list[Token] = []
    for child in children:
        spans = find_german(child.content, parts) if child.type == "text" else []
        if not spans:
            out.append(child)
            continue
        last = 0
        for start, end in spans:
            if start > last:
                out.append(_text(child, child.content[last:start]))
            opening = Token("lang_open", "span", 1)
            opening.attrSet("lang", GERMAN)
            out.extend([opening, _text(child, child.content[start:end]), Token("lang_close", "span", -1)])
            last = end
        if last < len(child.content):
            out.append(_text(child, child.content[last:]))
    return out


def _text(like: Token, content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


def install(md: MarkdownIt) -> MarkdownIt:
    md.core.ruler.push("lang_parts", core_rule)
    return md
