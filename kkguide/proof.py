"""Proofs staff can look at: a contact sheet of every page and a page report, from the PDF itself.

Nothing here knows how kkguide wrote the PDF: MuPDF (PyMuPDF) reads the finished file, as a print
shop's or a reviewer's tool would. Per page it measures, inside the type area (the page, or its
TrimBox in a print file, less the margins):

- **fill**: the share of the type area covered by content (text blocks, drawings, images; a
  1 mm grid, so overlapping boxes count once). Below ``NEAR_EMPTY`` (a quarter) a page is
  *near-empty*.
- **full-page element**: one image or drawing covering at least 40 % of the type area (the map, a cover).
- **what broke where**: a heading or a lead-in ending with ":" as the last line of a page (what it
  introduces is on the next page), a table split so that fewer than ``MIN_TABLE_ROWS`` of its
  rows stay with its head (tables are seen by their row rules, as kkguide's tables have them;
  a table without rules is not seen), a single line of a paragraph alone at the top of a page
  (widow).

The contact sheet is every page as a thumbnail, a few pages of PNG, problem pages framed red.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

MM = 72 / 25.4                 # PDF points per millimetre
NEAR_EMPTY = 0.25              # a content page is near-empty below this fill
FULL_PAGE = 0.4                # one object covering 40 % of the type area or more is a full-page element (a map, cover art)
MIN_TABLE_ROWS = 2             # rows (besides the head) that must stay with a table's head
ROW_LIMIT_MM = 30              # table rules further apart than this belong to different tables
SENTENCE_END = ".!?:;؟۔።)”»\"'"
HEADING_RATIO = 1.12           # a line this much larger than the body size is a heading
GRID_MM = 1.0


@dataclass(frozen=True)
class ProofSpec:
    """The type area: margins in millimetres (top, outer/right, bottom, inner/left) of the
    untrimmed page; kkguide's A5 booklet uses 18, 14, 16, 14."""

    margins: tuple[float, float, float, float] = (18.0, 14.0, 16.0, 14.0)
    columns: int = 6
    rows: int = 4
    thumb_mm: float = 40.0      # thumbnail width on the sheet (at 96 px per inch)


@dataclass(frozen=True)
class PageReport:
    number: int
    fill: float                 # 0..1 of the type area
    depth: float                # 0..1: how far down the type area the content reaches
    full_page: bool             # a full-page element (map, cover art)
    blank: bool                 # nothing inside the type area
    first_line: str = ""
    last_line: str = ""
    problems: tuple[str, ...] = ()

    @property
    def near_empty(self) -> bool:
        return not self.blank and not self.full_page and self.fill < NEAR_EMPTY


@dataclass(frozen=True)
class ProofReport:
    path: str
    pages: tuple[PageReport, ...]
    body_size: float
    sheets: tuple[str, ...] = field(default_factory=tuple)

    def page(self, number: int) -> PageReport:
        return self.pages[number - 1]

    def underfull(self) -> list[PageReport]:
        """Near-empty content pages that neither end the booklet nor precede a full-page element
        (the cover and back cover, pages 1 and n, are not content pages)."""
        found = []
        for p in self.pages[1:-1]:
            following = self.pages[p.number] if p.number < len(self.pages) else None
            if not p.near_empty:
                continue
            if following is None or following.number == len(self.pages) or following.full_page:
                continue
            found.append(p)
        return found

    def text(self) -> str:
        lines = [f"{self.path}: {len(self.pages)} pages, body text {self.body_size:.1f} pt"]
        for p in self.pages:
            notes = []
            if p.blank:
                notes.append("blank")
            elif p.full_page:
                notes.append("full-page element")
            elif p.near_empty:
                notes.append("NEAR-EMPTY")
            notes += list(p.problems)
            lines.append(f"  p{p.number:>3}  fill {p.fill * 100:5.1f} %  depth {p.depth * 100:5.1f} %  "
                         + "; ".join(notes))
        under = self.underfull()
        problems = sum(len(p.problems) for p in self.pages)
        lines.append(f"  {len(under)} near-empty content page(s)"
                     + (f" ({', '.join(str(p.number) for p in under)})" if under else "")
                     + f", {problems} break problem(s)")
        return "\n".join(lines)

    def as_json(self) -> str:
        data = asdict(self)
        data["underfull"] = [p.number for p in self.underfull()]
        return json.dumps(data, ensure_ascii=False, indent=2)


# --- measuring -----------------------------------------------------------------------------------

def _open(data: bytes):
    import pymupdf

    getattr(pymupdf, "no_recommend_layout", lambda: None)()  # it would print an advertisement
    return pymupdf.open(stream=data, filetype="pdf")


def _type_area(page, spec: ProofSpec):
    import pymupdf

    trim = page.trimbox if page.trimbox else page.rect
    top, right, bottom, left = (m * MM for m in spec.margins)
    return pymupdf.Rect(trim.x0 + left, trim.y0 + top, trim.x1 - right, trim.y1 - bottom)


def _lines(blocks, area):
    """Text lines inside the type area, top to bottom: (rect, text, size, bold, block number)."""
    import pymupdf

    found = []
    for block in blocks:
        if block["type"] != 0:
            continue
        for line in block["lines"]:
            rect = pymupdf.Rect(line["bbox"])
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans or not rect.intersects(area):
                continue
            text = "".join(s["text"] for s in line["spans"]).strip()
            size = max(s["size"] for s in spans)
            bold = all(s["flags"] & 16 for s in spans)
            found.append((rect, text, size, bold, block["number"]))
    found.sort(key=lambda item: (round(item[0].y0, 0), item[0].x0))
    return found


def _boxes(page, blocks, drawings, area):
    """Content boxes clipped to the type area, and whether one of them is a full-page element."""
    import pymupdf

    boxes, full = [], False
    total = area.width * area.height
    for block in blocks:
        rect = pymupdf.Rect(block["bbox"]) & area
        if rect.is_empty:
            continue
        boxes.append(rect)
        if block["type"] == 1 and rect.width * rect.height > FULL_PAGE * total:
            full = True
    for info in page.get_image_info():
        rect = pymupdf.Rect(info["bbox"]) & area
        if not rect.is_empty:
            boxes.append(rect)
            full = full or rect.width * rect.height > FULL_PAGE * total
    for drawing in drawings:
        fill = drawing.get("fill")
        if fill is not None and min(fill) > 0.985:  # white paint: nothing to see
            continue
        rect = pymupdf.Rect(drawing["rect"])
        rect = pymupdf.Rect(max(rect.x0, area.x0), max(rect.y0, area.y0), min(rect.x1, area.x1), min(rect.y1, area.y1))
        if rect.x1 <= rect.x0 or rect.y1 < rect.y0:
            continue
        boxes.append(rect)
        if rect.width * rect.height > FULL_PAGE * total and drawing.get("fill") is not None:
            full = True
    return boxes, full


def _coverage(boxes, area) -> tuple[float, float]:
    step = GRID_MM * MM
    cols, rows = max(1, int(area.width / step)), max(1, int(area.height / step))
    grid = bytearray(cols * rows)
    lowest = area.y0
    for r in boxes:
        c0, c1 = int((r.x0 - area.x0) / step), int(math.ceil((r.x1 - area.x0) / step))
        r0, r1 = int((r.y0 - area.y0) / step), int(math.ceil((r.y1 - area.y0) / step))
        for row in range(max(r0, 0), min(max(r1, r0 + 1), rows)):
            start, end = max(c0, 0), min(max(c1, c0 + 1), cols)
            grid[row * cols + start: row * cols + end] = b"\x01" * (end - start)
        lowest = max(lowest, r.y1)
    return sum(grid) / len(grid), (lowest - area.y0) / area.height


def _rules(drawings, area) -> list[float]:
    """The y of each horizontal rule (table rules: thin, at least a fifth of the type area wide,
    cells of one row counted once)."""
    ys = sorted({round(d["rect"].y1 * 2) / 2 for d in drawings
                 if d["rect"].height < 2 and d["rect"].width > area.width / 5 and area.y0 <= d["rect"].y1 <= area.y1})
    return ys


def measure(data: bytes, label: str, spec: ProofSpec = ProofSpec()) -> ProofReport:
    """The page report of a PDF (``data``)."""
    doc = _open(data)
    pages_lines, raw = [], []
    sizes: dict[float, int] = {}
    for page in doc:
        area = _type_area(page, spec)
        blocks = page.get_text("dict")["blocks"]
        drawings = page.get_drawings()
        lines = _lines(blocks, area)
        for _r, text, size, _b, _n in lines:
            sizes[round(size, 1)] = sizes.get(round(size, 1), 0) + len(text)
        boxes, full = _boxes(page, blocks, drawings, area)
        fill, depth = _coverage(boxes, area)
        pages_lines.append(lines)
        raw.append([area, fill, depth, full, not boxes, _rules(drawings, area)])
    body = max(sizes, key=sizes.get) if sizes else 10.0
    reports = []
    for index, (area, fill, depth, full, blank, _rules_y) in enumerate(raw):
        lines = pages_lines[index]
        following = pages_lines[index + 1] if index + 1 < len(pages_lines) else []
        next_rules = raw[index + 1][5] if index + 1 < len(raw) else []
        next_top = raw[index + 1][0].y0 if index + 1 < len(raw) else 0.0
        problems = _problems(index + 1, lines, following, _rules_y, next_rules, next_top, area, body,
                             last=index + 1 == len(raw))
        reports.append(PageReport(index + 1, round(fill, 4), round(min(depth, 1.0), 4), full, blank,
                                  lines[0][1][:60] if lines else "", lines[-1][1][:60] if lines else "",
                                  tuple(problems)))
    return ProofReport(label, tuple(reports), body)


def _introduced(following, next_rules, next_top) -> bool:
    """Whether the next page opens with what a lead-in introduces: a table or a list (a line
    ending in ":" inside a paragraph that simply goes on is no lead-in)."""
    first = following[0][1].lstrip()
    return bool((next_rules and next_rules[0] < next_top + 15 * MM) or first[:1] in "•–-‣◦"
                or re.match(r"\d+[.)]\s", first))


def _ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (right-to-left lines come out of the PDF in visual order,
    their final stop first)."""
    text = text.strip()
    return bool(text) and (text[-1] in SENTENCE_END or text[0] in SENTENCE_END)


def _foot_rows(rules: list[float]) -> int:
    """Rows of the table at the foot of a page: the run of rules from the last one upward, each
    less than a row limit apart, less the rule under the table's head."""
    run = 1
    for upper, lower in zip(reversed(rules[:-1]), reversed(rules[1:])):
        if lower - upper > ROW_LIMIT_MM * MM:
            break
        run += 1
    return run - 1


def _problems(number, lines, following, rules, next_rules, next_top, area, body, last) -> list[str]:
    problems = []
    if not lines or last:
        return problems
    rect, text, size, bold, _n = lines[-1]
    near_foot = rect.y1 > area.y0 + 0.6 * area.height
    if size > body * HEADING_RATIO and bold and near_foot and following:
        problems.append(f"heading at the foot: '{text[:40]}' (what follows is on page {number + 1})")
    elif text.endswith(":") and near_foot and following and _introduced(following, next_rules, next_top):
        problems.append(f"lead-in at the foot: '{text[-40:]}' (what it introduces is on page {number + 1})")
    # a table runs over the break: rules near this page's foot and near the next page's head
    if (rules and rules[-1] > area.y1 - 15 * MM and next_rules and next_rules[0] < next_top + 15 * MM):
        rows = _foot_rows(rules)
        if rows < MIN_TABLE_ROWS:
            problems.append(f"table split: {rows} row(s) with the head, the rest on page {number + 1}")
    if following:
        first = [item for item in following if item[4] == following[0][4]]
        if (len(first) == 1 and abs(first[0][2] - body) < 0.3 and not first[0][3]
                and len(following) > 1 and following[1][0].y0 - first[0][0].y1 > 0.6 * first[0][0].height
                and rect.y1 > area.y1 - 2 * first[0][0].height and not _ends_sentence(text)):
            problems.append(f"widow: one line alone at the top of page {number + 1}: '{first[0][1][:40]}'")
    return problems


# --- the contact sheet ---------------------------------------------------------------------------

def contact_sheets(data: bytes, report: ProofReport, spec: ProofSpec = ProofSpec()) -> list[bytes]:
    """PNG pages of thumbnails, ``spec.columns`` × ``spec.rows`` each, numbered; near-empty pages
    and pages with a break problem framed red."""
    import pymupdf
    from PIL import Image, ImageDraw

    doc = _open(data)
    px_mm = 96 / 25.4
    thumb_w = int(spec.thumb_mm * px_mm)
    first = doc[0].rect
    thumb_h = int(thumb_w * first.height / first.width)
    gap, label_h = 14, 16
    per_sheet = spec.columns * spec.rows
    sheets = []
    for start in range(0, len(doc), per_sheet):
        count = min(per_sheet, len(doc) - start)
        rows = math.ceil(count / spec.columns)
        sheet = Image.new("RGB", (gap + spec.columns * (thumb_w + gap), gap + rows * (thumb_h + label_h + gap)),
                          (236, 236, 236))
        draw = ImageDraw.Draw(sheet)
        for i in range(count):
            page = doc[start + i]
            zoom = thumb_w / page.rect.width
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            x = gap + (i % spec.columns) * (thumb_w + gap)
            y = gap + (i // spec.columns) * (thumb_h + label_h + gap)
            sheet.paste(image, (x, y))
            info = report.pages[start + i]
            bad = info.problems or (info.near_empty and info in report.underfull())
            draw.rectangle([x - 1, y - 1, x + image.width, y + image.height],
                           outline=(200, 0, 0) if bad else (150, 150, 150), width=3 if bad else 1)
            mark = f"{info.number}  {info.fill * 100:.0f} %" + ("  !" if bad else "")
            draw.text((x, y + image.height + 2), mark, fill=(200, 0, 0) if bad else (40, 40, 40))
        out = io.BytesIO()
        sheet.save(out, format="PNG", optimize=True)
        sheets.append(out.getvalue())
    return sheets


def proof(data: bytes, label: str, out: Path, stem: str, spec: ProofSpec = ProofSpec()) -> ProofReport:
    """Measure ``data`` and write ``out/STEM-sheet-N.png``, ``out/STEM-report.txt`` and ``.json``."""
    from .fsio import atomic_write

    report = measure(data, label, spec)
    sheets = contact_sheets(data, report, spec)
    names = tuple(f"{stem}-sheet-{n}.png" for n in range(1, len(sheets) + 1))
    report = ProofReport(report.path, report.pages, report.body_size, names)
    for name, png in zip(names, sheets):
        atomic_write(out / name, png)
    atomic_write(out / f"{stem}-report.txt", (report.text() + "\n").encode("utf-8"))
    atomic_write(out / f"{stem}-report.json", (report.as_json() + "\n").encode("utf-8"))
    return report
