"""Stage 3: a chapter <-> its translatable messages (one per heading, paragraph, list item,
table cell, image alt text, title and summary). Inline Markdown stays inside the message.

The same walk over markdown-it tokens serves extraction and rendering, so what is extracted
is exactly what gets translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .markdown import FACT_REF
from .sources import Chapter

_IMAGE_ONLY = re.compile(r"^!\[(?P<alt>.*)\]\((?P<src>[^)\s]+)\)$", re.DOTALL)
# A text that is only references, numbers and punctuation needs no translation.
_NOTHING_TO_TRANSLATE = re.compile(r"^[\s\d\W]*$")

KINDS = {
    "heading_open": "heading", "paragraph_open": "paragraph", "th_open": "table header cell",
    "td_open": "table cell",
}


@dataclass(frozen=True)
class Segment:
    msgid: str
    kind: str        # title, summary, heading, paragraph, list item, tip, table cell, image alt text
    path: str        # source file, relative to the project root
    line: int        # 1-based line in that file
    chapter: str     # chapter id


@dataclass(frozen=True)
class Slot:
    """A translatable place in a parsed token stream."""

    index: int        # index of the inline token
    block: int        # index of the token that carries the block's attributes
    msgid: str
    kind: str
    line: int         # 0-based line inside the parsed text
    image: int | None  # index of the image child, for alt text


def normalize(text: str) -> str:
    """Message text: inner line breaks become spaces, outer whitespace goes."""
    return " ".join(part.strip() for part in text.strip().split("\n"))


def needs_translation(text: str) -> bool:
    return not _NOTHING_TO_TRANSLATE.match(FACT_REF.sub("", text))


def slots(tokens: Sequence[Token]) -> Iterator[Slot]:
    """Every translatable inline token of a parsed chapter body, in document order."""
    line = 0
    stack: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.map:
            line = tok.map[0]
        if tok.nesting == 1:
            stack.append(tok.type)
        elif tok.nesting == -1 and stack:
            stack.pop()
        if tok.type != "inline":
            continue
        block = i - 1
        kind = KINDS.get(tokens[block].type, "paragraph")
        if tokens[block].hidden and "list_item_open" in stack:
            block = max(j for j in range(block) if tokens[j].type == "list_item_open")
            kind = "list item"
        elif "list_item_open" in stack:
            kind = "list item"
        elif "blockquote_open" in stack:
            kind = "tip"
        msgid = normalize(tok.content)
        image = None
        match = _IMAGE_ONLY.match(msgid)
        if match and len(tok.children or ()) == 1 and tok.children[0].type == "image":
            msgid, kind, image = normalize(match.group("alt")), "image alt text", 0
        if msgid and needs_translation(msgid):
            yield Slot(index=i, block=block, msgid=msgid, kind=kind, line=line, image=image)


def image_sources(tokens: Sequence[Token]) -> Iterator[tuple[str, int]]:
    """(src, 0-based line) of every image in a parsed body."""
    line = 0
    for tok in tokens:
        if tok.map:
            line = tok.map[0]
        for child in tok.children or ():
            if child.type == "image":
                yield child.attrGet("src") or "", line


def extract(md: MarkdownIt, chapter: Chapter) -> tuple[Segment, ...]:
    """All messages of one chapter: title, summary, then the body in reading order."""
    found = [Segment(chapter.title, "chapter title", chapter.path, chapter.title_line, chapter.id),
             Segment(chapter.summary, "chapter summary", chapter.path, chapter.summary_line, chapter.id)]
    tokens = md.parse(chapter.body, {})
    for slot in slots(tokens):
        found.append(Segment(slot.msgid, slot.kind, chapter.path, chapter.body_line + slot.line, chapter.id))
    return tuple(found)


def guide_messages(title: str, subtitle: str, path: str, lines: tuple[int, int]) -> tuple[Segment, ...]:
    """The guide's own translatable texts from guide.yml (cover title and subtitle)."""
    return (Segment(title, "guide title (cover)", path, lines[0], ""),
            Segment(subtitle, "guide subtitle (cover)", path, lines[1], ""))
