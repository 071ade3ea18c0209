"""Extracted text (poppler's pdftotext and MuPDF) against the catalog's msgstr.

Both extractors read the body area of every page (the running head and page number are page
furniture, outside it); whitespace (line breaks, justification) and bidi formatting marks are
not compared, every other character is: letters, parentheses, ZWNJ, digits, their order."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pymupdf

from kkguide.markdown import FACT_MARK, FACT_REF, make_markdown, shown_text

BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
TOP_MM, BOTTOM_MM = 16, 14   # inside the page margins (guide.css: 18 mm top, 16 mm bottom)


# A run of punctuation between two words of right-to-left text ("هي: «كرامة") is read back by
# poppler in either order ("هي«:كرامة") although the page shows it right (checked on the rendered
# page; MuPDF reads it in order): neutrals take their direction from what surrounds them, and
# poppler's reordering guesses. Inside such a run the order is not compared; which characters
# stand there is, and so is the order of every letter and digit.
PUNCTUATION_RUN = re.compile(r"[^\w\s]{2,}")


def squeeze(text: str) -> str:
    text = re.sub(r"\s+", "", text.translate(BIDI_MARKS))
    return PUNCTUATION_RUN.sub(lambda m: "".join(sorted(m.group())), text)


def plain(msgstr: str, facts, locale: str) -> str:
    """The text a message prints in ``locale``: Markdown markup removed, fact references replaced
    by the fact as the guide prints it in that language (dates, amounts, hours by Babel)."""
    md = make_markdown()
    text = FACT_REF.sub(lambda m: _shown(facts.get(m.group(1)), locale), msgstr)
    tokens = md.parseInline(text, {})[0].children or []
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline") or t.type == "softbreak")


def _shown(fact, locale: str) -> str:
    """The fact as printed: its value and, for one nobody has confirmed, the mark after it."""
    return shown_text(fact, locale) + (FACT_MARK if fact.record.flag else "")


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
