"""A text layer that reads right: the characters behind every glyph, in logical order.

WeasyPrint writes each line fragment (a text box) as one text object whose glyphs stand in
visual order, and maps every glyph to Unicode once, through the font's ToUnicode CMap. That map
cannot say everything a shaped line needs:

- a mirrored parenthesis in right-to-left text is the glyph of the other parenthesis, and the
  map can only name one character for it;
- a zero-width non-joiner (U+200C, Persian) has no glyph at all, so it vanishes;
- a glyph shared by two characters (Persian and Arabic yeh forms, marks) names only the first.

And extractors that follow the content stream (MuPDF) read the runs of a mixed Arabic–Latin line
in visual order. Two remedies from ISO 32000-1:

1. ``/ActualText`` (14.9.4) on a marked-content span around each glyph cluster whose mapped
   characters differ from its source characters (zero-width characters join the cluster before
   them). Only the cluster is replaced, so extractors still place the text by its glyphs.
2. The runs of a line (Pango's items, each of one direction) are drawn in logical order, each
   placed at its own position with ``Tm``: the page looks the same, the stream reads in order.

Recording: for the time of one ``write_pdf`` (``recording``), WeasyPrint's ``draw_first_line``
is wrapped; after it has drawn a text box the wrapper reads that box's Pango runs again (glyphs,
clusters, text, direction). Rewriting: ``rewrite_text`` parses each page's content stream with
pikepdf, finds each recorded text box by its MCID, checks that the glyphs in the stream are the
recorded ones (else it refuses: a WeasyPrint change must not give a wrong text layer silently),
and writes the text object anew.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
import unicodedata
from decimal import Decimal

import pikepdf


@dataclass(frozen=True)
class Cluster:
    text: str                  # source characters of this cluster
    glyphs: tuple[int, ...]    # glyph ids in drawing (visual) order
    follow: str = ""           # zero-width characters (no glyph) that follow it logically
    lead: str = ""             # the same before it (only at the start of a run)


@dataclass(frozen=True)
class Run:
    offset: int                # character offset of the run in the text box (logical order)
    rtl: bool
    clusters: tuple[Cluster, ...]   # in drawing order
    font: str = ""             # the font's resource name

    @property
    def glyphs(self) -> tuple[int, ...]:
        return tuple(g for c in self.clusters for g in c.glyphs)


@dataclass(frozen=True)
class TextBoxRecord:
    text: str
    runs: tuple[Run, ...]      # in drawing order


class Recording:
    """What one write recorded: per page (by the identity of its tag dictionary, mapped to page
    numbers by ``tagging``), MCID -> the text box drawn in that marked-content sequence; and
    WeasyPrint's fonts, whose ``to_unicode`` maps are the ToUnicode CMaps it writes."""

    def __init__(self):
        self.by_tags: dict[int, dict[int, TextBoxRecord]] = {}
        self.fonts: dict = {}

    def page(self, tags_id: int) -> dict[int, TextBoxRecord]:
        return self.by_tags.setdefault(tags_id, {})

    def to_unicode(self, font: str, glyph: int) -> str:
        maps = self.__dict__.setdefault("_maps", {})
        if font not in maps:
            maps[font] = next((f.to_unicode for f in self.fonts.values() if f.hash == font), {})
        return maps[font].get(glyph, "")

    def needs_rewrite(self, record: "TextBoxRecord") -> bool:
        """Whether a text box reads wrong as WeasyPrint wrote it: several runs (their order),
        zero-width characters, right-to-left punctuation, or glyphs that map to other text."""
        if len(record.runs) > 1:
            return True
        run = record.runs[0]
        if run.rtl:
            return True
        return any(c.follow or c.lead or "".join(self.to_unicode(run.font, g) for g in c.glyphs) != c.text
                   for c in run.clusters)


def _read_runs(textbox, stream) -> tuple[Run, ...]:
    """The glyph runs WeasyPrint has just drawn for ``textbox``, read from the same Pango line."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.fonts import get_pango_font_key

    layout = textbox.pango_layout
    utf8 = layout.text.encode()
    line, _index = layout.get_first_line()
    runs = []
    run = line.runs[0] if line.runs != ffi.NULL else ffi.NULL
    while run != ffi.NULL:
        item = run.data
        run = run.next
        glyphs = item.glyphs
        count, clusters = glyphs.num_glyphs, glyphs.log_clusters
        offset, length = item.item.offset, item.item.length
        rtl = bool(item.item.analysis.level % 2)
        # starts of the clusters, in drawing order, and the byte range each covers
        starts = sorted({clusters[i] for i in range(count)})
        ends = {s: (starts[k + 1] if k + 1 < len(starts) else length) for k, s in enumerate(starts)}
        grouped: list[tuple[int, list[int]]] = []
        for i in range(count):
            gid = glyphs.glyphs[i].glyph
            start = clusters[i]
            if grouped and grouped[-1][0] == start:
                if gid != pango.PANGO_GLYPH_EMPTY:
                    grouped[-1][1].append(gid)
            else:
                grouped.append((start, [] if gid == pango.PANGO_GLYPH_EMPTY else [gid]))
        made = []
        for start, gids in grouped:
            text = utf8[offset + start:offset + ends[start]].decode("utf-8", "replace")
            made.append(Cluster(text, tuple(gids)))
        key = get_pango_font_key(item.item.analysis.font)[0]
        font = stream._fonts[key].hash if key in stream._fonts else ""
        runs.append(Run(len(utf8[:offset].decode("utf-8", "replace")), rtl, tuple(_fold_empty(made, rtl)), font))
    return tuple(runs)


def _fold_empty(clusters: list[Cluster], rtl: bool) -> list[Cluster]:
    """Clusters without a glyph (ZWNJ and other zero-width characters) are kept with the
    cluster that precedes them logically (drawing order is reversed in right-to-left runs)."""
    logical = list(reversed(clusters)) if rtl else list(clusters)
    out: list[Cluster] = []
    pending = ""
    for cluster in logical:
        if not cluster.glyphs:
            if out:
                out[-1] = Cluster(out[-1].text, out[-1].glyphs, out[-1].follow + cluster.text, out[-1].lead)
            else:
                pending += cluster.text
            continue
        out.append(Cluster(cluster.text, cluster.glyphs, "", pending))
        pending = ""
    if pending and out:
        out[-1] = Cluster(out[-1].text, out[-1].glyphs, out[-1].follow + pending, out[-1].lead)
    return list(reversed(out)) if rtl else out


@contextmanager
def recording():
    """Record the Pango runs of every text box WeasyPrint draws, for the time of one write."""
    from weasyprint.draw import text as draw_text

    found = Recording()
    original = draw_text.draw_first_line

    def recorded(stream, textbox, *args, **kwargs):
        emojis = original(stream, textbox, *args, **kwargs)
        tags = getattr(stream, "_tags", None)
        if tags is not None and textbox in tags and textbox.text.strip() and textbox.style["font_size"] >= 1e-6:
            found.page(id(tags))[tags[textbox]["mcid"]] = TextBoxRecord(textbox.pango_layout.text,
                                                                        _read_runs(textbox, stream))
            found.fonts = stream._fonts
        return emojis

    draw_text.draw_first_line = recorded
    try:
        yield found
    finally:
        draw_text.draw_first_line = original


# ---------------------------------------------------------------- rewriting the content stream

class TextLayerError(RuntimeError):
    """The content stream does not hold the glyphs that were recorded (a WeasyPrint change)."""


@dataclass(frozen=True)
class _Glyph:
    code: bytes
    x: float          # pen position before the glyph, in text space
    advance: float    # the glyph's own width, in text space
    font: str
    size: float
    rise: float

    @property
    def gid(self) -> int:
        return int.from_bytes(self.code, "big")


def font_widths(resources) -> dict[str, tuple[dict[int, float], float]]:
    """Glyph widths (per 1000 em) of every Type0 font in ``resources``, by resource name."""
    out = {}
    for name, font in dict(resources.get("/Font", {})).items():
        if font.get("/Subtype") != "/Type0":
            continue
        cid = font.DescendantFonts[0]
        default = float(cid.get("/DW", 1000))
        widths: dict[int, float] = {}
        w = list(cid.get("/W", []))
        i = 0
        while i < len(w):
            first = int(w[i])
            if isinstance(w[i + 1], pikepdf.Array):
                for k, value in enumerate(w[i + 1]):
                    widths[first + k] = float(value)
                i += 2
            else:
                for g in range(first, int(w[i + 1]) + 1):
                    widths[g] = float(w[i + 2])
                i += 3
        out[str(name)[1:]] = (widths, default)
    return out


def _parse_text_object(ops: list, widths) -> tuple[list[float], list[_Glyph]]:
    """The Tm operands and the glyphs (with pen positions) of one BT ... ET object."""
    tm, font, size, rise, x = None, None, 0.0, 0.0, 0.0
    glyphs: list[_Glyph] = []
    for operands, op in ops:
        name = str(op)
        if name == "Tm":
            tm, x = [float(v) for v in operands], 0.0
        elif name == "Tf":
            font, size = str(operands[0])[1:], float(operands[1])
        elif name == "Ts":
            rise = float(operands[0])
        elif name == "TJ":
            if font not in widths:
                raise TextLayerError(f"text in font {font}, which is not a Type0 font")
            table, default = widths[font]
            for part in operands[0]:
                if isinstance(part, pikepdf.String):
                    data = bytes(part)
                    for k in range(0, len(data), 2):
                        code = data[k:k + 2]
                        advance = table.get(int.from_bytes(code, "big"), default) / 1000 * size
                        glyphs.append(_Glyph(code, x, advance, font, size, rise))
                        x += advance
                else:
                    x -= float(part) / 1000 * size
        elif name not in ("BT", "ET"):
            raise TextLayerError(f"operator {name} in a text object")
    if tm is None:
        raise TextLayerError("text object without Tm")
    return tm, glyphs


def _num(value: float):
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else Decimal(repr(rounded))


class _Shower:
    """Collects glyphs into TJ arrays; ``flush`` ends the current one."""

    def __init__(self, ops: list):
        self.ops, self.parts, self.pen = ops, [], None

    def glyph(self, g: _Glyph) -> None:
        shift = (g.x - self.pen) * 1000 / g.size if self.pen is not None else 0.0
        if abs(shift) > 1e-4:
            self.parts.append(_num(-shift))
        if self.parts and isinstance(self.parts[-1], pikepdf.String):
            self.parts[-1] = pikepdf.String(bytes(self.parts[-1]) + g.code)
        else:
            self.parts.append(pikepdf.String(g.code))
        self.pen = g.x + g.advance

    def flush(self) -> None:
        if self.parts:
            self.ops.append(([pikepdf.Array(self.parts)], pikepdf.Operator("TJ")))
        self.parts = []


def rebuild(tm: list[float], glyphs: list[_Glyph], record: TextBoxRecord, to_unicode) -> tuple[list, int]:
    """Operators that draw the same glyphs at the same places, runs in logical order, with
    ActualText on each cluster that the ToUnicode map gets wrong; and how many got one."""
    recorded = [g for run in record.runs for g in run.glyphs]
    if [g.gid for g in glyphs] != recorded:
        raise TextLayerError(f"glyphs in the stream differ from the ones recorded for {record.text!r}")
    ops: list = [([], pikepdf.Operator("BT"))]
    placed, position = [], 0
    for run in record.runs:
        n = len(run.glyphs)
        placed.append((run, glyphs[position:position + n]))
        position += n
    a, b, c, d, e, f = tm
    fixed = 0
    for run, run_glyphs in sorted(placed, key=lambda p: p[0].offset):
        if not run_glyphs:
            continue
        first = run_glyphs[0]
        ops.append(([_num(a), _num(b), _num(c), _num(d), _num(e + first.x * a), _num(f + first.x * b)],
                    pikepdf.Operator("Tm")))
        ops.append(([pikepdf.Name("/" + first.font), _num(first.size)], pikepdf.Operator("Tf")))
        shower, rise, k = _Shower(ops), 0.0, 0
        shower.pen = first.x
        last = len(run.clusters) - 1
        groups = []
        for index, cluster in enumerate(run.clusters):
            groups.append((index, cluster, run_glyphs[k:k + len(cluster.glyphs)]))
            k += len(cluster.glyphs)
        if run.rtl:
            # neutrals at the visual left end of a right-to-left run end it logically ("."):
            # drawn last, they come last for extractors that follow the stream (MuPDF)
            lead = 0
            while lead < len(groups) - 1 and not _strong(groups[lead][1].text):
                lead += 1
            groups = groups[lead:] + groups[:lead]
        carry: dict[int, str] = {}
        silent: set[int] = set()
        if run.rtl and MARKS_WITH_BASE:   # a mark of its own cluster: its character goes with its base
            for index, cluster in enumerate(run.clusters):
                if index + 1 < len(run.clusters) and cluster.text and all(
                        unicodedata.category(ch) == "Mn" for ch in cluster.text):
                    carry[index + 1] = cluster.text + carry.get(index, "")
                    silent.add(index)
        for index, cluster, group in groups:
            actual, extra = cluster.text, ""
            if index in silent:
                actual = ""
            elif index in carry:
                actual = actual + carry[index]
            if index in silent:
                pass
            elif run.rtl and len(actual) > 1:
                # a base with marks, a ligature: extractors spread several characters left to
                # right over the glyphs and then reverse the right-to-left line, so only the
                # first stays on the glyphs; the others follow it as characters of their own
                actual, extra = actual[0], actual[1:]
            wrong = "".join(to_unicode(g.font, g.gid) for g in group) != actual
            # characters without a glyph, in visual order on either side of the cluster
            before, after = extra + (cluster.follow if index not in silent else ""), cluster.lead
            if index in silent:
                after = ""
            if run.rtl and actual.strip() and not _strong(actual):
                before += RLM if index == 0 else ""
                after = (RLM if index == last else "") + after
            if not run.rtl:
                before, after = after, before
            left, right = group[0].x, group[-1].x + group[-1].advance
            for ch in reversed(before) if run.rtl else before:
                fixed += _invisible(ops, shower, tm, group[0], left, ch)
            if wrong:
                shower.flush()
                ops.append(([pikepdf.Name("/Span"), pikepdf.Dictionary(ActualText=pikepdf.String(actual))],
                            pikepdf.Operator("BDC")))
                fixed += 1
            for g in group:
                if g.rise != rise:
                    shower.flush()
                    ops.append(([_num(g.rise)], pikepdf.Operator("Ts")))
                    rise = g.rise
                shower.glyph(g)
            if wrong:
                shower.flush()
                ops.append(([], pikepdf.Operator("EMC")))
            for ch in reversed(after) if run.rtl else after:
                fixed += _invisible(ops, shower, tm, group[-1], right, ch)
        shower.flush()
        if rise:
            ops.append(([0], pikepdf.Operator("Ts")))
    ops.append(([], pikepdf.Operator("ET")))
    return ops, fixed


RLM = "\u200f"
MARKS_WITH_BASE = False   # measured: poppler 174 -> 134 misses in fa, MuPDF 4 -> 46; off
INVISIBLE_SCALE = 0.01


def _invisible(ops: list, shower: "_Shower", tm: list[float], like: _Glyph, x: float, ch: str) -> int:
    """Draw ``ch`` as invisible text (render mode 3) of a tiny glyph at ``x``: an extractor
    gets the character at its place, the page shows nothing."""
    shower.flush()
    a, b, c, d, e, f = tm
    ops.append(([pikepdf.Name("/Span"), pikepdf.Dictionary(ActualText=pikepdf.String(ch))], pikepdf.Operator("BDC")))
    ops.append(([3], pikepdf.Operator("Tr")))
    ops.append(([_num(100 * INVISIBLE_SCALE)], pikepdf.Operator("Tz")))
    ops.append(([_num(a), _num(b), _num(c), _num(d), _num(e + x * a), _num(f + x * b)], pikepdf.Operator("Tm")))
    ops.append(([pikepdf.Array([pikepdf.String(like.code)])], pikepdf.Operator("TJ")))
    ops.append(([100], pikepdf.Operator("Tz")))
    ops.append(([0], pikepdf.Operator("Tr")))
    ops.append(([], pikepdf.Operator("EMC")))
    pen = shower.pen
    ops.append(([_num(a), _num(b), _num(c), _num(d), _num(e + pen * a), _num(f + pen * b)], pikepdf.Operator("Tm")))
    return 1



def _unused_marked(text: str, rtl: bool, leftmost: bool, rightmost: bool) -> str:
    """The cluster's text, with a right-to-left mark on the outer side of a neutral cluster
    (punctuation, space) at either visual end of a right-to-left run.

    Extractors resolve such neutrals by their neighbours on the page; beside a Latin word or a
    number they take them as left-to-right and put them on the wrong side ("(Behörde" for
    "Behörde)"). The mark is what Unicode prescribes for this (UAX #9, 6.3): invisible, it
    changes neither the text's meaning nor its display, and it tells any reader the side."""
    if not USE_RLM or not rtl or not text or _strong(text):
        return text
    return (RLM if leftmost else "") + text + (RLM if rightmost else "")


def _strong(text: str) -> bool:
    import unicodedata

    return any(unicodedata.bidirectional(ch) in ("L", "R", "AL") for ch in text)


def rewrite_ops(ops: list, records: dict[int, TextBoxRecord], to_unicode, widths) -> tuple[list, int]:
    """The content stream operators with the recorded text objects rewritten; and the number
    of ActualText spans added."""
    out: list = []
    stack: list[int | None] = []
    fixed = 0
    i = 0
    while i < len(ops):
        operands, op = ops[i]
        name = str(op)
        if name == "BDC":
            props = operands[1] if len(operands) > 1 else None
            stack.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None)
        elif name == "BMC":
            stack.append(None)
        elif name == "EMC":
            stack.pop()
        elif name == "BT" and stack and stack[-1] in records:
            j = i
            while str(ops[j][1]) != "ET":
                j += 1
            tm, glyphs = _parse_text_object(ops[i:j + 1], widths)
            new_ops, count = rebuild(tm, glyphs, records[stack[-1]], to_unicode)
            out.extend(new_ops)
            fixed += count
            i = j + 1
            continue
        out.append((operands, op))
        i += 1
    return out, fixed
