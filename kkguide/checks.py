"""Checks of one translation against its German source message.

The build uses them to refuse a translation (German is printed instead) and ``kkguide check``
reports them as ``file:line: language: problem``. msgfmt -c sees none of this damage.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .markdown import FACT_REF, make_markdown

_URL_OR_EMAIL = re.compile(r"https?://[^\s)\]]+|www\.[^\s)\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")
_HTML = re.compile(r"<\s*[A-Za-z!/][^>]*>")
_LINE_SYNTAX = re.compile(r"^\s*(#{1,6}\s|[-+*]\s|>|\d+[.)]\s|\|)")
_MARKUP = {"strong_open", "em_open", "link_open", "image", "fact_ref", "code_inline"}


@lru_cache(maxsize=1)
def _md():
    return make_markdown()


def _ascii_digits(text: str) -> str:
    """Eastern Arabic, Persian and other decimal digits count as the same numbers."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


@lru_cache(maxsize=8192)
def numbers(text: str) -> Counter:
    return Counter(_DIGITS.findall(_ascii_digits(FACT_REF.sub(" ", _URL_OR_EMAIL.sub(" ", text)))))


@lru_cache(maxsize=8192)
def markup(text: str) -> Counter:
    """The inline Markdown structure: emphasis, links with their targets, images, references."""
    tokens = _md().parseInline(text, {})[0].children or []
    return Counter(_markup_key(tok) for tok in tokens if tok.type in _MARKUP)


def _markup_key(tok) -> tuple[str, str]:
    if tok.type == "fact_ref":
        return tok.type, tok.content
    if tok.type in ("link_open", "image"):
        return tok.type, str(tok.attrGet("href") or tok.attrGet("src") or "")
    return tok.type, ""


def _describe(counter: Counter) -> str:
    return ", ".join(f"{k}×{v}" if v > 1 else str(k) for k, v in sorted(counter.items())) or "none"


def _isolates_open(text: str) -> bool:
    """Whether a bidi isolate (U+2066-2068) is left open or closed without being opened."""
    depth = 0
    for ch in text:
        depth += 1 if ch in "\u2066\u2067\u2068" else (-1 if ch == "\u2069" else 0)
        if depth < 0:
            return True
    return depth != 0


def problems(msgid: str, msgstr: str) -> list[str]:
    """What makes ``msgstr`` unusable as a translation of ``msgid`` (empty list: usable)."""
    found = []
    refs_src, refs_tr = Counter(FACT_REF.findall(msgid)), Counter(FACT_REF.findall(msgstr))
    if refs_src != refs_tr:
        found.append(f"fact references differ: source has {_describe(Counter('{{%s}}' % r for r in refs_src.elements()))}, "
                     f"translation has {_describe(Counter('{{%s}}' % r for r in refs_tr.elements()))}")
    urls_src, urls_tr = Counter(_URL_OR_EMAIL.findall(msgid)), Counter(_URL_OR_EMAIL.findall(msgstr))
    if urls_src != urls_tr:
        found.append(f"URLs or e-mails differ: source has {_describe(urls_src)}, translation has {_describe(urls_tr)}")
    if numbers(msgid) != numbers(msgstr):
        found.append(f"numbers differ: source has {_describe(numbers(msgid))}, translation has {_describe(numbers(msgstr))}")
    if _isolates_open(msgstr) and not _isolates_open(msgid):
        found.append("unbalanced bidi isolates (U+2066–U+2069) in the translation")
    if "\n" in msgstr:
        found.append("line break inside the translation (a blank line would cut the message)")
    if _HTML.search(msgstr) and not _HTML.search(msgid):
        found.append("HTML in the translation")
    if _LINE_SYNTAX.match(msgstr) and not _LINE_SYNTAX.match(msgid):
        found.append("translation starts with Markdown line syntax (#, -, >, 1.) that the source does not have")
    elif markup(msgid) != markup(msgstr):
        found.append(f"Markdown differs: source has {_describe(markup(msgid))}, translation has {_describe(markup(msgstr))}")
    return found
