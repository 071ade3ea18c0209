"""Key pages of a built guide for visual regression, found in the PDF itself (its outline and
its drawings), rendered small: cover, contents, a chapter opening, the page with the most table
rows, the emergency chapter's opening, the closing page (languages and imprint), the back cover.

Used by tests/test_layout.py and by `make approve-visuals` (tests/visual/approve.py), which
writes the approved renders tests/visual/<lang>-<page>.png after an intended change.
"""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
from PIL import Image

HERE = Path(__file__).resolve().parent
LANGS = ("de", "ar", "uk", "ti")
DPI = 30                      # low resolution: layout and colour, not anti-aliasing
TOLERANCE = 3.0               # mean absolute difference per channel (0-255) that still passes
CHANGED_PIXELS = 0.02         # share of pixels that may differ by more than 48 levels


def key_pages(data: bytes, emergency_index: int) -> dict[str, int]:
    """Page numbers (1-based) of the key pages; ``emergency_index``: the emergency chapter's
    position among the chapters (0-based)."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    chapters = [page for level, _title, page in doc.get_toc() if level == 1]
    def rules(page) -> int:
        return sum(1 for d in page.get_drawings() if d["rect"].height < 2 and d["rect"].width > 100)
    table = max(range(3, len(doc)), key=lambda i: (rules(doc[i - 1]), -i))
    return {"cover": 1, "contents": 2, "opening": chapters[1], "table": table,
            "emergency": chapters[emergency_index], "imprint": chapters[-1], "back": len(doc)}


def render(data: bytes, number: int) -> Image.Image:
    doc = pymupdf.open(stream=data, filetype="pdf")
    pix = doc[number - 1].get_pixmap(dpi=DPI, alpha=False)
    return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference per channel, share of pixels differing by more than 48)."""
    if a.size != b.size:
        return 255.0, 1.0
    pa, pb = a.tobytes(), b.tobytes()
    diffs = [abs(x - y) for x, y in zip(pa, pb)]
    mean = sum(diffs) / len(diffs)
    pixels = len(diffs) // 3
    changed = sum(1 for i in range(pixels) if max(diffs[3 * i:3 * i + 3]) > 48)
    return mean, changed / pixels


def approved(lang: str, name: str) -> Path:
    return HERE / f"{lang}-{name}.png"


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
