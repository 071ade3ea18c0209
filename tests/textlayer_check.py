"""Extracted text (poppler's pdftotext and MuPDF) against the catalog's msgstr.

Both extractors read the body area of every page (the running head and page number are page
furniture, outside it); whitespace (line breaks, justification) and bidi formatting marks are
not compared, every other character is: letters, parentheses, ZWNJ, digits, their order."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pymupdf

from kkguide.markdown import FACT_MARK, FACT_REF, make_markdown

BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
TOP_MM, BOTTOM_MM = 16, 14   # inside the page margins (guide.css: 18 mm top, 16 mm bottom)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(BIDI_MARKS))


def plain(msgstr: str, facts) -> str:
    """The text a message prints: Markdown markup removed, fact references replaced."""
    md = make_markdown()
    text = FACT_REF.sub(lambda m: _shown(facts.get(m.group(1))), msgstr)
    tokens = md.parseInline(text, {})[0].children or []
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline") or t.type == "softbreak")


def _shown(fact) -> str:
    """The fact as printed: its value and, for one nobody has confirmed, the mark after it."""
    value = re.sub(r"^https?://", "", fact.value).rstrip("/") if fact.kind == "url" else fact.value
    return value + (FACT_MARK if fact.record.flag else "")


def _body(page_height_pt: float) -> tuple[float, float]:
    mm = 72 / 25.4
    return TOP_MM * mm, page_height_pt - BOTTOM_MM * mm


def poppler_text(pdf: Path) -> str:
    doc = pymupdf.open(pdf)
    pages = []
    for number, page in enumerate(doc, start=1):
        top, bottom = _body(page.rect.height)
        out = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-x", "0", "-y", str(int(top)),
                              "-W", str(int(page.rect.width)), "-H", str(int(bottom - top)), str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        pages.append(out)
    return squeeze("".join(pages))


def mupdf_text(pdf: Path) -> str:
    doc = pymupdf.open(pdf)
    pages = []
    for page in doc:
        top, bottom = _body(page.rect.height)
        pages.append(page.get_text(clip=pymupdf.Rect(0, top, page.rect.width, bottom)))
    return squeeze("".join(pages))


def missing(expected: list[str], extracted: str) -> list[str]:
    return [e for e in expected if squeeze(e) and squeeze(e) not in extracted]
