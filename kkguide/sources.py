"""Stage 2: chapters/NN-slug.md -> Chapter (front matter validated, body with its first line)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import KkguideError
from .files import ProjectFiles
from .schema import FRONT_MATTER
from .yamlfile import check_keys, load_yaml

CHAPTER_DIR = "chapters"
_NAME = re.compile(r"^(\d\d)-[a-z0-9-]+\.md$")
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    order: int
    summary: str
    body: str
    path: str            # relative to the project root, e.g. chapters/02-anmeldung.md
    body_line: int       # 1-based file line of the body's first line
    title_line: int
    summary_line: int


def parse_chapter(text: str, shown: str) -> Chapter:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise KkguideError("chapter must start with YAML front matter ('---')", shown, 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise KkguideError("front matter is not closed with '---'", shown, 1) from None
    doc = load_yaml("\n".join(lines[1:end]), shown, line_offset=1)
    meta = doc.data
    check_keys(doc, meta, (), FRONT_MATTER.required_names, FRONT_MATTER.optional_names)
    for key in ("id", "title", "summary"):
        if not isinstance(meta[key], str) or not meta[key].strip():
            raise KkguideError(f"'{key}' must be a non-empty text", shown, doc.line(key))
    if not _ID.match(meta["id"]):
        raise KkguideError("'id' must be lower-case ASCII letters, digits, '-' or '_'", shown, doc.line("id"))
    if not isinstance(meta["order"], int) or isinstance(meta["order"], bool):
        raise KkguideError("'order' must be a whole number", shown, doc.line("order"))
    return Chapter(id=meta["id"], title=" ".join(meta["title"].split()), order=meta["order"],
                   summary=" ".join(meta["summary"].split()), body="\n".join(lines[end + 1:]),
                   path=shown, body_line=end + 2, title_line=doc.line("title"),
                   summary_line=doc.line("summary"))


def load_chapters(files: ProjectFiles) -> tuple[Chapter, ...]:
    if not files.locate(CHAPTER_DIR, "chapter folder").is_dir():
        raise KkguideError("chapter folder not found", CHAPTER_DIR)
    chapters = []
    for shown in files.listing(CHAPTER_DIR, "*.md", kind="chapter"):
        if not _NAME.match(PurePosixPath(shown).name):
            raise KkguideError("chapter file names look like NN-slug.md (two digits, lower-case slug)", shown)
        chapters.append(parse_chapter(files.read_text(shown, "chapter"), shown))
    if not chapters:
        raise KkguideError("no chapters (*.md) found", CHAPTER_DIR)
    seen: dict[str, Chapter] = {}
    for ch in chapters:
        if ch.id in seen:
            raise KkguideError(f"duplicate chapter id '{ch.id}' (also in {seen[ch.id].path})", ch.path, 2)
        seen[ch.id] = ch
    return tuple(sorted(chapters, key=lambda c: (c.order, c.path)))
