"""Stage 3: a chapter <-> its translatable messages (one per heading, paragraph, list item,
table cell, image alt text, title and summary). Inline Markdown stays inside the message.

The same walk over markdown-it tokens serves extraction and rendering, so what is extracted
is exactly what gets translated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterator, NamedTuple, Sequence

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


UI_ROLE = "page furniture"     # the templates' own strings (cover, contents, imprint, back cover)
LINK_ROLE = "link description"  # what a link to a fact does, for screen readers (markdown.LINK_TITLES)


class Key(NamedTuple):
    """How a message is found in a catalog: gettext's (msgctxt, msgid)."""

    context: str | None
    msgid: str


@dataclass(frozen=True)
class Segment:
    msgid: str
    kind: str        # title, summary, heading, paragraph, list item, tip, table cell, image alt text
    path: str        # source file, relative to the project root
    line: int        # 1-based line in that file
    chapter: str     # chapter id
    where: str = ""  # for translators: the chapter, section and table column the block stands in
    context: str | None = None   # msgctxt, set only where the same German has several roles

    @property
    def key(self) -> Key:
        return Key(self.context, self.msgid)


@dataclass(frozen=True)
class UiMessage:
    """A string marked with _() in a template."""

    msgid: str
    path: str
    line: int
    context: str | None = None
    kind: str = UI_ROLE

    @property
    def key(self) -> Key:
        return Key(self.context, self.msgid)


@dataclass(frozen=True)
class Slot:
    """A translatable place in a parsed token stream."""

    index: int        # index of the inline token
    block: int        # index of the token that carries the block's attributes
    msgid: str
    kind: str
    line: int         # 0-based line inside the parsed text
    image: int | None  # index of the image child, for alt text
    column: int = -1   # table cells: 0-based column


def normalize(text: str) -> str:
    """Message text: inner line breaks become spaces, outer whitespace goes."""
    return " ".join(part.strip() for part in text.strip().split("\n"))


def needs_translation(text: str) -> bool:
    return not _NOTHING_TO_TRANSLATE.match(FACT_REF.sub("", text))


def slots(tokens: Sequence[Token]) -> Iterator[Slot]:
    """Every translatable inline token of a parsed chapter body, in document order."""
    line = 0
    column = -1
    stack: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.map:
            line = tok.map[0]
        if tok.type == "tr_open":
            column = -1
        elif tok.type in ("th_open", "td_open"):
            column += 1
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
            yield Slot(index=i, block=block, msgid=msgid, kind=kind, line=line, image=image,
                       column=column if kind.startswith("table") else -1)


def image_sources(tokens: Sequence[Token]) -> Iterator[tuple[str, int]]:
    """(src, 0-based line) of every image in a parsed body."""
    line = 0
    for tok in tokens:
        if tok.map:
            line = tok.map[0]
        for child in tok.children or ():
            if child.type == "image":
                yield child.attrGet("src") or "", line


def _headers(tokens: Sequence[Token]) -> dict[int, list[str]]:
    """Table header texts by the index of the table_open token that holds them."""
    found: dict[int, list[str]] = {}
    table = -1
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            table = i
            found[table] = []
        elif tok.type == "inline" and i and tokens[i - 1].type == "th_open":
            found[table].append(normalize(tok.content))
    return found


def _quote(text: str, limit: int = 60) -> str:
    return f'"{text if len(text) <= limit else text[:limit - 1].rstrip() + "…"}"'


def extract(md: MarkdownIt, chapter: Chapter) -> tuple[Segment, ...]:
    """All messages of one chapter: title, summary, then the body in reading order, each with
    where it stands (chapter, section, table column) for the translator."""
    in_chapter = f"chapter {_quote(chapter.title)}"
    found = [Segment(chapter.title, "chapter title", chapter.path, chapter.title_line, chapter.id),
             Segment(chapter.summary, "chapter summary", chapter.path, chapter.summary_line, chapter.id,
                     in_chapter)]
    tokens = md.parse(chapter.body, {})
    headers = _headers(tokens)
    tables = [i for i, tok in enumerate(tokens) if tok.type == "table_open"]
    section = ""
    for slot in slots(tokens):
        where = in_chapter + (f", section {_quote(section)}" if section and slot.kind != "heading" else "")
        if slot.column >= 0:
            columns = headers.get(max((t for t in tables if t < slot.index), default=-1), [])
            if slot.kind == "table cell" and slot.column < len(columns) and columns[slot.column]:
                where += f", column {_quote(columns[slot.column])}"
        found.append(Segment(slot.msgid, slot.kind, chapter.path, chapter.body_line + slot.line, chapter.id, where))
        if slot.kind == "heading":
            section = slot.msgid
    return tuple(found)


def guide_messages(title: str, subtitle: str, path: str, lines: tuple[int, int]) -> tuple[Segment, ...]:
    """The guide's own translatable texts from guide.yml (cover title and subtitle)."""
    return (Segment(title, "guide title (cover)", path, lines[0], ""),
            Segment(subtitle, "guide subtitle (cover)", path, lines[1], ""))


def assign_contexts(segments: Sequence[Segment], ui: Sequence[UiMessage]
                    ) -> tuple[tuple[Segment, ...], tuple[UiMessage, ...]]:
    """msgctxt where one German text has several roles (a cover title that is also a chapter
    title, a table cell that is also a back-cover label): each role becomes its own message,
    named by its role, so that it can be translated differently. A text with one role, in as
    many places as it stands, stays one message without msgctxt."""
    roles: dict[str, set[str]] = defaultdict(set)
    for item in (*segments, *ui):
        roles[item.msgid].add(item.kind)
    shared = {msgid for msgid, kinds in roles.items() if len(kinds) > 1}
    return (tuple(replace(s, context=s.kind if s.msgid in shared else None) for s in segments),
            tuple(replace(u, context=u.kind if u.msgid in shared else None) for u in ui))
