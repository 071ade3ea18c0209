"""Checks of finished PDFs with poppler, qpdf and pikepdf (shared by the PDF tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf

from conftest import tool

ALLOWED_FONTS = {"Noto-Sans", "Noto-Sans-Bold", "Noto-Naskh-Arabic", "Noto-Naskh-Arabic-Bold",
                 "Noto-Sans-Ethiopic", "Noto-Sans-Ethiopic-Bold", "Noto-Sans-Italic", "Noto-Sans-Bold-Italic"}


def fonts(pdf: Path) -> list[dict[str, str]]:
    rows = tool("pdffonts", str(pdf)).splitlines()[2:]
    out = []
    for row in rows:
        parts = row.split()
        # name type... encoding emb sub uni object-id gen
        out.append({"name": parts[0].split("+", 1)[-1], "encoding": parts[-6], "emb": parts[-5]})
    return out


def check_press_basics(pdf: Path, lang: str, min_pages: int) -> str:
    """Everything the spine promises for one PDF; returns its extracted text."""
    tool("qpdf", "--check", str(pdf))
    found = fonts(pdf)
    assert found, "no fonts"
    assert all(f["emb"] == "yes" for f in found), found
    assert not [f for f in found if f["encoding"] == "Custom"], f"missing glyphs drawn as .notdef: {found}"
    assert {f["name"] for f in found} <= ALLOWED_FONTS, f"font fallback outside the stack: {found}"
    info = tool("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages >= min_pages, pages
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == lang
        assert len(list(doc.open_outline().root)) >= 2, "no bookmarks"
    text = tool("pdftotext", "-layout", str(pdf), "-")
    assert "47533" in text
    assert "02821 85-0" in text
    return text


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def plain_text(pdf: Path) -> str:
    """pdftotext output without the bidi embedding marks poppler adds around RTL runs."""
    return tool("pdftotext", str(pdf), "-").translate(_BIDI_CONTROLS)
