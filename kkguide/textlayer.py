"""A text layer that reads right: the characters behind every glyph, in logical order.

WeasyPrint writes each line fragment (a text box) as one text object whose glyphs stand in
visual order, and maps every glyph to Unicode once, through the font's ToUnicode CMap. That map
cannot say everything a shaped line needs: a mirrored parenthesis in right-to-left text is the
glyph of the other parenthesis; a zero-width non-joiner (U+200C, Persian) has no glyph at all; a
ligature or a glyph shared by several characters names only some of them; and combining marks
(hamza, shadda, tanwin) are glyphs of their own, raised with a text rise and pushed over their
base with an offset.

The two extractors the tests use (poppler's TextOutputDev, MuPDF's stext device; their sources
are the reference for what follows) both read characters at the positions of their glyphs, along
the baseline, in visual order, and reverse right-to-left runs afterwards. What breaks them:

- poppler builds a line from words left to right and ends it when the next word starts more than
  half an em left of the previous word's end (``TextBlock::coalesce``): a raised mark over a long
  word (its own word: another baseline) cuts the visual line in two, and the mark lands on a
  line of its own;
- several characters of one ``/ActualText`` are spread over its glyphs left to right by poppler
  and kept in their order by MuPDF; both then reverse the right-to-left line, so a cluster of
  several characters comes out reversed;
- poppler drops a ``-`` that ends a line and joins the lines (``TextPage::dump``), also a hard
  hyphen of a compound broken after it ("Steuer-" / "Identifikationsnummer");
- MuPDF follows the content stream: runs drawn in visual order come out in visual order.

So a text object is written anew (ISO 32000-1 9.4, 14.9.4):

1. The runs of a line (Pango's items, each of one direction) are drawn in logical order, each
   placed at its own position with ``Tm``: the page looks the same, the stream reads in order.
2. A *clean* glyph cluster (its glyphs on the baseline, not offset, mapped to exactly its one
   character) is drawn as it was.
3. Any other cluster is drawn twice: its visible glyphs inside a marked-content span with an
   empty ``/ActualText`` (they stand for no text), and its characters as invisible text (render
   mode 3) on the baseline, one glyph per character, laid side by side over the cluster's
   advance in visual order, each with ``/ActualText`` naming its character. Extractors then find
   every character once, at its place, on the line's baseline.
4. A neutral character at either visual end of a right-to-left run gets a right-to-left mark
   (U+200F) on its outer side, and a hyphen that ends a text box a left-to-right mark after it:
   invisible, meaningless to a reader, and what keeps extractors from guessing the side (UAX #9)
   or from taking the hyphen for a soft one.
5. poppler reads a whole page in one direction, the one most of its letters have; a page of a
   right-to-left document with much German on it (text not yet translated) would be read left
   to right, and its Arabic lines with a Latin word in them come out in visual order. Such a
   page gets as many right-to-left marks as it takes (``page_marks``), as one invisible
   character at the start of its first right-to-left line: they change nothing a reader sees.

Recording: for the time of one ``write_pdf`` (``recording``), WeasyPrint's ``draw_first_line`` is
wrapped; after it has drawn a text box the wrapper reads that box's Pango runs again (glyphs,
clusters, text, direction, glyph geometry). Rewriting: ``rewrite_ops`` finds each recorded text
box by its MCID, checks that the glyphs in the stream are the recorded ones (else it refuses: a
WeasyPrint change must not give a wrong text layer silently), and writes the text object anew.
"""

from __future__ import annotations

import functools

import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import pikepdf

RLM = "\u200f"
LRM = "\u200e"
HYPHENS = "-\u2010\u2011"
INVISIBLE = 3            # text render mode: neither fill nor stroke (ISO 32000-1 Table 106)
ZERO_WIDTH_EM = 0.02     # width given to each character of a cluster without advance (marks)


class Cluster(NamedTuple):
    """One glyph cluster as Pango shaped it. A typed NamedTuple, immutable like the frozen
    dataclasses between stages, because the recording makes millions of them per build and a
    frozen dataclass costs three times as much to construct."""

    text: str                      # source characters of this cluster
    glyphs: tuple[int, ...]        # glyph ids in drawing (visual) order
    follow: str = ""               # zero-width characters (no glyph) that follow it logically
    lead: str = ""                 # the same before it (only at the start of a run)
    x_offsets: tuple[float, ...] = ()   # per glyph: horizontal offset as WeasyPrint draws it (text space)
    raised: bool = False           # a glyph drawn off the baseline (vertical offset: a mark)


@dataclass(frozen=True)
class Run:
    offset: int                    # character offset of the run in the text box (logical order)
    rtl: bool
    clusters: tuple[Cluster, ...]  # in drawing order
    font: str = ""                 # the font's resource name

    @property
    def glyphs(self) -> tuple[int, ...]:
        return tuple(g for c in self.clusters for g in c.glyphs)


@dataclass(frozen=True)
class TextBoxRecord:
    text: str
    runs: tuple[Run, ...]          # in drawing order


class Recording:
    """What one write recorded: per page (by the identity of its tag dictionary, mapped to page
    numbers by ``tagging``), MCID -> the text box drawn in that marked-content sequence; and
    WeasyPrint's fonts, whose ``to_unicode`` maps are the ToUnicode CMaps it writes."""

    def __init__(self):
        self.by_tags: dict[int, dict[int, TextBoxRecord]] = {}
        self.fonts: dict = {}
        self._maps: dict[str, dict] = {}

    def page(self, tags_id: int) -> dict[int, TextBoxRecord]:
        return self.by_tags.setdefault(tags_id, {})

    def to_unicode(self, font: str, glyph: int) -> str:
        table = self._maps.get(font)
        if table is None:
            table = self._maps[font] = next((f.to_unicode for f in self.fonts.values() if f.hash == font), {})
        return table.get(glyph, "")

    def needs_rewrite(self, record: TextBoxRecord, rtl_page: bool = False) -> bool:
        """Whether a text box reads wrong as WeasyPrint wrote it: several runs (their order),
        right-to-left text, a final hyphen, a cluster that is not clean, or (on a right-to-left
        page) a neutral at the end of a left-to-right line."""
        if len(record.runs) > 1 or record.text.rstrip().endswith(tuple(HYPHENS)):
            return True
        run = record.runs[0]
        if rtl_page and any(i is not None for i in _edge_neutrals([c.text for c in run.clusters])):
            return True
        if run.rtl:
            return True
        self.to_unicode(run.font, 0)   # loads the font's map
        table = self._maps[run.font]
        for c in run.clusters:
            if c.follow or c.lead or c.raised or any(c.x_offsets):
                return True
            mapped = table.get(c.glyphs[0], "") if len(c.glyphs) == 1 else "".join(table.get(g, "") for g in c.glyphs)
            if mapped != c.text:
                return True
        return False


@functools.lru_cache(maxsize=1)
def _glyph_info_layout() -> tuple[int, int, int, int]:
    """PangoGlyphInfo as 32-bit words: (words per glyph, index of the glyph id, of x_offset, of
    y_offset), from the struct as cffi declares it (WeasyPrint's ffi), not assumed."""
    from weasyprint.text.ffi import ffi

    size, geometry = ffi.sizeof("PangoGlyphInfo"), ffi.offsetof("PangoGlyphInfo", "geometry")
    words = [size, ffi.offsetof("PangoGlyphInfo", "glyph"), geometry + ffi.offsetof("PangoGlyphGeometry", "x_offset"),
             geometry + ffi.offsetof("PangoGlyphGeometry", "y_offset")]
    if any(w % 4 for w in words) or ffi.sizeof("PangoGlyph") != 4 or ffi.sizeof("PangoGlyphUnit") != 4:
        raise TextLayerError("PangoGlyphInfo is not laid out in 32-bit words")
    return tuple(w // 4 for w in words)


def _read_runs(textbox, stream) -> tuple[Run, ...]:
    """The glyph runs WeasyPrint has just drawn for ``textbox``, read from the same Pango line.
    Each run's glyph array is copied out in one piece (a memoryview of its 32-bit words), not
    read glyph by glyph through cffi: the recording ran for every text box of every write."""
    from weasyprint.text.ffi import ffi, pango

    step, at_glyph, at_x, at_y = _glyph_info_layout()
    empty = pango.PANGO_GLYPH_EMPTY
    layout = textbox.pango_layout
    utf8 = layout.text.encode()
    line = pango.pango_layout_get_line_readonly(layout.layout, 0)
    runs = []
    run = line.runs[0] if line.runs != ffi.NULL else ffi.NULL
    while run != ffi.NULL:
        item = run.data
        run = run.next
        glyphs = item.glyphs
        count = glyphs.num_glyphs
        raw = memoryview(ffi.buffer(glyphs.glyphs, count * step * 4))
        ids = raw.cast("I")[at_glyph::step].tolist()
        signed = raw.cast("i")
        x_offsets = signed[at_x::step].tolist()
        y_offsets = signed[at_y::step].tolist()
        clusters = ffi.unpack(glyphs.log_clusters, count)
        offset, length = item.item.offset, item.item.length
        rtl = bool(item.item.analysis.level % 2)
        # the byte range of each cluster: from its start to the next start in logical order
        starts = sorted(set(clusters))
        ends = dict(zip(starts, starts[1:] + [length]))
        if len(starts) == count and empty not in ids:
            # the common case: one glyph per cluster, no empty glyph
            runs.append(Run(len(utf8[:offset].decode("utf-8", "replace")), rtl, tuple(
                Cluster(utf8[offset + c:offset + ends[c]].decode("utf-8", "replace"), (g,), "", "", (x / 1000,), y != 0)
                for c, g, x, y in zip(clusters, ids, x_offsets, y_offsets)), _font(item, stream)))
            continue
        made: list[Cluster] = []
        folded = False
        i = 0
        while i < count:
            start = clusters[i]
            j = i + 1
            while j < count and clusters[j] == start:
                j += 1
            gids, shifts, raised = [], [], False
            for k in range(i, j):
                if ids[k] != empty:
                    gids.append(ids[k])
                    # WeasyPrint moves the pen by x_offset / 1000 before the glyph and back after it
                    shifts.append(x_offsets[k] / 1000)
                    raised = raised or y_offsets[k] != 0
            folded = folded or not gids
            made.append(Cluster(utf8[offset + start:offset + ends[start]].decode("utf-8", "replace"), tuple(gids),
                                "", "", tuple(shifts), raised))
            i = j
        runs.append(Run(len(utf8[:offset].decode("utf-8", "replace")), rtl,
                        tuple(_fold_empty(made, rtl)) if folded else tuple(made), _font(item, stream)))
    return tuple(runs)


def _font(item, stream) -> str:
    """The resource name WeasyPrint gave the font of a Pango glyph item."""
    from weasyprint.text.fonts import get_pango_font_key

    key = get_pango_font_key(item.item.analysis.font)[0]
    return stream._fonts[key].hash if key in stream._fonts else ""


def _fold_empty(clusters: list[Cluster], rtl: bool) -> list[Cluster]:
    """Clusters without a glyph (ZWNJ and other zero-width characters) are kept with the
    cluster that precedes them logically (drawing order is reversed in right-to-left runs)."""
    logical = list(reversed(clusters)) if rtl else list(clusters)
    out: list[Cluster] = []
    pending = ""
    for cluster in logical:
        if not cluster.glyphs:
            if out:
                last = out[-1]
                out[-1] = Cluster(last.text, last.glyphs, last.follow + cluster.text, last.lead, last.x_offsets,
                                  last.raised)
            else:
                pending += cluster.text
            continue
        out.append(Cluster(cluster.text, cluster.glyphs, "", pending, cluster.x_offsets, cluster.raised))
        pending = ""
    if pending and out:
        last = out[-1]
        out[-1] = Cluster(last.text, last.glyphs, last.follow + pending, last.lead, last.x_offsets, last.raised)
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


class _Glyph(NamedTuple):
    """One glyph of a text object as the content stream draws it (a NamedTuple, like Cluster:
    the rewrite makes one per glyph of every line it rewrites)."""

    code: bytes
    x: float          # pen position before the glyph (after the adjustments before it), text space
    advance: float    # the glyph's own width, in text space
    font: str
    size: float
    rise: float
    gid: int          # the glyph id (``code`` as a big-endian number)


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


def _parse_text_object(ops: list, widths) -> tuple[list[float], list[_Glyph], float]:
    """The Tm operands, the glyphs (with pen positions) of one BT ... ET object, and the pen
    position after its last glyph (with the adjustments that follow it)."""
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
                        gid = int.from_bytes(code, "big")
                        advance = table.get(gid, default) / 1000 * size
                        glyphs.append(_Glyph(code, x, advance, font, size, rise, gid))
                        x += advance
                else:
                    x -= float(part) / 1000 * size
        elif name not in ("BT", "ET"):
            raise TextLayerError(f"operator {name} in a text object")
    if tm is None:
        raise TextLayerError("text object without Tm")
    return tm, glyphs, x


@functools.lru_cache(maxsize=4096)   # a pure function of a cluster's text; texts repeat page after page
def _strong(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("L", "R", "AL") for ch in text)


class _Placed(NamedTuple):
    """A cluster with the glyphs drawn for it and its advance on the line (pen positions)."""

    cluster: Cluster
    glyphs: tuple[_Glyph, ...]
    left: float
    right: float
    start: int = 0     # where its characters start in the text box's text (logical order)


def _fmt(value: float) -> str:
    """A number as a content stream writes it: at most four decimals, no exponent."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text_string(text: str) -> str:
    """A PDF text string (ISO 32000-1 7.9.2.2) in hex: UTF-16BE with its byte order mark."""
    return "<" + ("\ufeff" + text).encode("utf-16-be").hex() + ">" if text else "()"


class RawText:
    """A rewritten text object as content stream bytes: the operator of an item
    ``([], RawText(...))`` in an operator list; ``tagging`` passes it through untouched."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data

    def __str__(self) -> str:   # an operator name no check looks for
        return "%raw"


class _Writer:
    """Writes the operators of one text object: glyphs in TJ arrays at their pen positions,
    spans with ActualText, invisible characters. Output is content stream text (``finish``)."""

    def __init__(self, tm: list[float], baseline: tuple[float, float] | None = None):
        self.tm = tm
        # a text box off its line's baseline (a superscript): its invisible text goes on the
        # line's baseline (this far, along the text's vertical axis), in the line's font size
        self.baseline = baseline
        self.out: list[str] = ["BT"]
        self.parts: list[str] = []       # the pieces of the TJ array being built
        self.codes = ""                  # glyph codes (hex) of the string being built
        self.pen: float | None = None     # pen position the next TJ string continues from
        self.font: tuple[str, float] | None = None
        self.rise = 0.0
        self.spans = 0
        # language of parts: the German runs' character ranges, where new marked-content
        # sequences (MCIDs) come from, the tag of the text box's own, and what was switched
        self.german: tuple[tuple[int, int], ...] = ()
        self.new_mcid = None
        self.tag = "/Span"
        self.in_german = False
        self.splits: list[tuple[bool, int]] = []

    def language(self, start: int) -> None:
        """Before the cluster whose characters start at ``start``: a marked-content sequence of
        its own (a new MCID) where a German run begins or ends (see ``tagging``)."""
        if self.new_mcid is None:
            return
        german = any(a <= start < b for a, b in self.german)
        if german == self.in_german:
            return
        self.flush()
        mcid = self.new_mcid()
        self.out.append(f"ET EMC {'/Span' if german else self.tag} <</MCID {mcid}>> BDC BT")
        self.splits.append((german, mcid))
        self.in_german, self.pen = german, None

    def _end_string(self) -> None:
        if self.codes:
            self.parts.append(f"<{self.codes}>")
            self.codes = ""

    def flush(self) -> None:
        self._end_string()
        if self.parts:
            self.out.append(f"[{' '.join(self.parts)}] TJ")
        self.parts = []

    def _tm(self, x: float, ty: float = 0.0) -> None:
        a, b, c, d, e, f = self.tm
        self.out.append(f"{_fmt(a)} {_fmt(b)} {_fmt(c)} {_fmt(d)} {_fmt(e + x * a + ty * c)} {_fmt(f + x * b + ty * d)} Tm")

    def move(self, x: float) -> None:
        self.flush()
        self._tm(x)
        self.pen = x

    def set_font(self, font: str, size: float) -> None:
        if self.font != (font, size):
            self.flush()
            self.out.append(f"/{font} {_fmt(size)} Tf")
            self.font = (font, size)

    def glyph(self, g: _Glyph) -> None:
        self.set_font(g.font, g.size)
        if g.rise != self.rise:
            self.flush()
            self.out.append(f"{_fmt(g.rise)} Ts")
            self.rise = g.rise
        if self.pen is None:
            self.move(g.x)
        shift = (g.x - self.pen) * 1000 / g.size
        if abs(shift) > 1e-4:
            self._end_string()
            self.parts.append(_fmt(-shift))
        self.codes += g.code.hex()
        self.pen = g.x + g.advance

    def begin_span(self, text: str) -> None:
        self.flush()
        self.out.append(f"/Span <</ActualText {_text_string(text)}>> BDC")
        self.spans += 1

    def end_span(self) -> None:
        self.flush()
        self.out.append("EMC")

    def invisible(self, ch: str, like: _Glyph, x: float, width: float) -> None:
        """``ch`` as invisible text on the baseline from ``x``, ``width`` wide, drawn with the
        glyph ``like`` (any glyph of the font with an advance) scaled to that width."""
        if self.rise:
            self.flush()
            self.out.append("0 Ts")
            self.rise = 0.0
        self.begin_span(ch)
        size = self.baseline[1] if self.baseline else like.size
        self.set_font(like.font, size)
        self.out.append(f"{INVISIBLE} Tr {_fmt(100 * width / (like.advance * size / like.size))} Tz")
        d = self.tm[3]
        self._tm(x, self.baseline[0] / d if self.baseline and d else 0.0)   # the shift is along the page's y
        self.out.append(f"[<{like.code.hex()}>] TJ 100 Tz 0 Tr")
        self.end_span()
        self.pen = None   # the next glyph places itself again

    def finish(self) -> list:
        self.flush()
        if self.rise:
            self.out.append("0 Ts")
        self.out.append("ET")
        return [([], RawText("\n".join(self.out).encode("latin-1")))]


def _place(run: Run, glyphs: list[_Glyph], end: float) -> list[_Placed]:
    """Each cluster of ``run`` (drawing order) with its glyphs and its advance [left, right]:
    the pen before its first glyph (without the glyph's own offset) to the next cluster's."""
    placed, k = [], 0
    for cluster in run.clusters:
        group = tuple(glyphs[k:k + len(cluster.glyphs)])
        k += len(cluster.glyphs)
        shift = cluster.x_offsets[0] if cluster.x_offsets else 0.0
        placed.append([cluster, group, group[0].x - shift])
    starts, cursor = {}, run.offset
    for index in (reversed(range(len(placed))) if run.rtl else range(len(placed))):
        c = placed[index][0]
        starts[index] = cursor
        cursor += len(c.lead + c.text + c.follow)
    out = []
    for i, (cluster, group, left) in enumerate(placed):
        right = placed[i + 1][2] if i + 1 < len(placed) else end
        out.append(_Placed(cluster, group, left, max(right, left), starts[i]))
    return out


def _edge_neutrals(texts: list[str]) -> tuple[int | None, int | None]:
    """Of a run's clusters (their texts, drawing order): the outermost non-space neutral one on
    the left of its leftmost strong character and on the right of its rightmost one."""
    strong = [i for i, t in enumerate(texts) if _strong(t)]
    visible = [i for i, t in enumerate(texts) if t.strip()]
    lo, hi = (strong[0], strong[-1]) if strong else (len(texts), -1)
    left = next((i for i in visible if i < lo), None)
    right = next((i for i in reversed(visible) if i > hi), None)
    return left, right


def _logical_chars(p: _Placed, rtl: bool, left: bool, right: bool) -> str:
    """The characters a cluster stands for, in logical order, with the marks of point 4: a mark
    of the run's direction on the outer side of a neutral at either visual end of the run."""
    text = p.cluster.lead + p.cluster.text + p.cluster.follow
    if rtl:
        return (RLM if right else "") + text + (RLM if left else "")
    return (LRM if left else "") + text + (LRM if right else "")


def _clean(p: _Placed, chars: str, to_unicode) -> bool:
    return chars == p.cluster.text and all(g.rise == 0 for g in p.glyphs) and not any(p.cluster.x_offsets) \
        and "".join(to_unicode(g.font, g.gid) for g in p.glyphs) == chars and (len(chars) == 1 or not _rtl_any(chars))


# MuPDF's pdf-op-run.c (guess_bidi_level) gives each glyph a direction from the class of its own
# character (not its ActualText): strong and AN/EN/ES/ET classes set it, the others keep the
# direction of the glyph before. It then reverses runs of right-to-left glyphs.
_MUPDF_LEVEL = {"L": 0, "R": 1, "AL": 1, "EN": 0, "ES": 0, "ET": 0, "AN": 1}
_MUPDF_KEEP = {"CS", "NSM", "BN", "B", "S", "WS", "ON"}


def _mupdf_level(text: str, before: int) -> int:
    if not text:
        return before
    kind = unicodedata.bidirectional(text[0])
    return before if kind in _MUPDF_KEEP else _MUPDF_LEVEL.get(kind, 0)


def _rtl_any(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def rebuild(tm: list[float], glyphs: list[_Glyph], record: TextBoxRecord, to_unicode,
            end: float | None = None, rtl_page: bool = False, page_marks: int = 0,
            baseline: tuple[float, float] | None = None, german: Sequence[tuple[int, int]] = (),
            new_mcid=None, tag: str = "/Span") -> tuple[list, int, list[tuple[bool, int]]]:
    """Operators that draw the same glyphs at the same places, runs in logical order, clusters
    that the ToUnicode map gets wrong as invisible text (see the module docstring); and how many
    spans with ActualText were written."""
    recorded = [g for run in record.runs for g in run.glyphs]
    if [g.gid for g in glyphs] != recorded:
        raise TextLayerError(f"glyphs in the stream differ from the ones recorded for {record.text!r}")
    if end is None:
        end = glyphs[-1].x + glyphs[-1].advance if glyphs else 0.0
    # each run's glyphs, and where the pen is after it (where the next run in drawing order starts)
    sliced, position = [], 0
    for run in record.runs:
        n = len(run.glyphs)
        sliced.append((run, glyphs[position:position + n]))
        position += n
    starts = []
    for run, run_glyphs in sliced:
        if run_glyphs:
            first = run.clusters[0]
            starts.append(run_glyphs[0].x - (first.x_offsets[0] if first.x_offsets else 0.0))
        else:
            starts.append(None)
    writer = _Writer(tm, baseline)
    if german and new_mcid is not None:
        writer.german, writer.new_mcid, writer.tag = tuple(german), new_mcid, tag
    hyphen = record.text.rstrip().endswith(tuple(HYPHENS))
    # the clusters of each run with their advance, then the level runs: maximal groups of runs
    # of one direction, consecutive in logical order (Pango splits a level run where the font
    # changes); groups are drawn in logical order, the clusters of a group in visual order
    placed = []
    for index, (run, run_glyphs) in enumerate(sliced):
        following = next((x for x in starts[index + 1:] if x is not None), end)
        placed.append(_place(run, run_glyphs, following) if run_glyphs else [])
    order = [i for i in sorted(range(len(sliced)), key=lambda i: sliced[i][0].offset) if placed[i]]
    groups: list[list[int]] = []
    for i in order:
        if groups and sliced[groups[-1][-1]][0].rtl == sliced[i][0].rtl:
            groups[-1].append(i)
        else:
            groups.append([i])
    for number, group in enumerate(groups):
        rtl = sliced[group[0]][0].rtl
        members = sorted(group)
        clusters = [p for i in members for p in placed[i]]
        # carriers for invisible text: the group's glyphs first, then the whole line's
        glyph_pool = [g for i in members for g in sliced[i][1]] + list(glyphs)
        if page_marks and rtl and number == 0:
            # the page's direction marks (page_marks), logically before the line: on its right
            like = _carrier((), glyph_pool, True, to_unicode)
            if like is not None:
                writer.invisible(RLM * page_marks, like, max(p.right for p in clusters), ZERO_WIDTH_EM * like.size)
        _write_group(writer, clusters, rtl, glyph_pool, to_unicode,
                     final_hyphen=hyphen and number == len(groups) - 1, marks=rtl or rtl_page, start_rtl=rtl_page,
                     all_invisible=baseline is not None)
    return writer.finish(), writer.spans, writer.splits


def _write_group(writer: _Writer, placed: list[_Placed], rtl: bool, glyph_pool: list[_Glyph], to_unicode,
                 final_hyphen: bool, marks: bool, start_rtl: bool = False, all_invisible: bool = False) -> None:
    """One level run: its clusters (visual order) clean as they are, the others as invisible text.
    A right-to-left run of neutrals only (")." after a Latin word) in a line without any
    right-to-left letter to carry it is written in logical order: MuPDF takes it as left to right."""
    writer.pen = None
    last = len(placed) - 1
    left, right = _edge_neutrals([p.cluster.text for p in placed]) if marks else (None, None)
    indices = list(range(len(placed)))
    carried = any(_rtl_any(to_unicode(g.font, g.gid)) for g in glyph_pool) if rtl else True
    if not carried:
        indices.reverse()
    wanted = 1 if rtl else 0
    level = 1 - wanted if (rtl or start_rtl) else 0   # what MuPDF has before the group, at worst
    for index in indices:
        p = placed[index]
        writer.language(p.start)
        chars = _logical_chars(p, rtl, index == left, index == right)
        if final_hyphen and index == (0 if rtl else last) and p.cluster.text.rstrip()[-1:] in tuple(HYPHENS):
            chars += RLM if rtl else LRM
        levels = [level]
        for g in p.glyphs:
            levels.append(_mupdf_level(to_unicode(g.font, g.gid), levels[-1]))
        if not all_invisible and _clean(p, chars, to_unicode) and (not carried or all(x == wanted for x in levels[1:])):
            for g in p.glyphs:
                writer.glyph(g)
            level = levels[-1]
            continue
        _write_unclean(writer, p, chars, rtl, glyph_pool, to_unicode)
        level = wanted if carried else levels[-1]


def _carrier(own, run_glyphs, rtl: bool, to_unicode) -> _Glyph | None:
    """The glyph invisible characters are drawn with: one with an advance whose own character
    is strong in the run's direction (MuPDF resolves the direction of each piece of text it gets
    from its glyphs' characters), else any with an advance."""
    wanted = ("R", "AL") if rtl else ("L",)
    for pool in (own, run_glyphs):
        for g in pool:
            if g.advance > 0 and any(unicodedata.bidirectional(c) in wanted for c in to_unicode(g.font, g.gid)):
                return g
    return next((g for g in (*own, *run_glyphs) if g.advance > 0), None)


def _write_unclean(writer: _Writer, p: _Placed, chars: str, rtl: bool, run_glyphs: list[_Glyph], to_unicode) -> None:
    """Point 3 of the module docstring: the visible glyphs as a span that stands for no text,
    then the characters as invisible text over the cluster's advance (in visual order). In this
    order the carrier glyph is the last glyph MuPDF sees, and its direction the one it keeps."""
    writer.begin_span("")
    writer.pen = None
    for g in p.glyphs:
        writer.glyph(g)
    writer.end_span()
    writer.pen = None
    visual = chars[::-1] if rtl else chars
    like = _carrier(p.glyphs, run_glyphs, rtl, to_unicode)
    if like is not None and visual:
        size = like.size
        width = p.right - p.left
        if width < ZERO_WIDTH_EM * size * len(visual):
            step = ZERO_WIDTH_EM * size
            x0 = p.left - step * len(visual) if rtl else p.left
        else:
            step = width / len(visual)
            x0 = p.left
        for k, ch in enumerate(visual):
            writer.invisible(ch, like, x0 + k * step, step)


def unparse(ops: list) -> bytes:
    """A content stream of operators, some of them rewritten text objects (``RawText``)."""
    out, chunk = [], []
    for item in ops:
        if isinstance(item[1], RawText):
            if chunk:
                out.append(pikepdf.unparse_content_stream(chunk))
                chunk = []
            out.append(item[1].data)
        else:
            chunk.append(item)
    if chunk:
        out.append(pikepdf.unparse_content_stream(chunk))
    return b"\n".join(out)


def page_marks(records: dict[int, TextBoxRecord], skip: set[int]) -> tuple[int | None, int]:
    """Point 5 of the module docstring: on a right-to-left page, the text box (MCID) that takes
    the page's direction marks and how many it takes, so that right-to-left letters outnumber
    left-to-right ones by a tenth of all letters (poppler's TextPage::coalesce reads a page
    right to left when ``lrCount`` < 0); (None, 0) when they already do or no line is
    right-to-left."""
    left = right = 0
    for record in records.values():
        for ch in record.text:
            kind = unicodedata.bidirectional(ch)
            left += kind == "L"
            right += kind in ("R", "AL")
    need = left - right + (left + right) // 10 + 1
    if need <= 0:
        return None, 0
    first = next((m for m in sorted(records) if m not in skip and records[m].runs
                  and min(records[m].runs, key=lambda r: r.offset).rtl and _rtl_any(records[m].text)), None)
    return (first, need) if first is not None else (None, 0)


def rewrite_ops(ops: list, records: dict[int, TextBoxRecord], to_unicode, widths,
                rtl_page: bool = False, marks: tuple[int | None, int] = (None, 0),
                raised: dict[int, tuple[float, float]] | None = None,
                german: dict[int, list[tuple[int, int]]] | None = None,
                new_mcid=None) -> tuple[list, int, dict[int, list[tuple[bool, int]]]]:
    """The content stream operators with the recorded text objects rewritten; the number of
    ActualText spans added; and per MCID the marked-content sequences its German runs were
    given (``german``: their ranges in the text box, ``new_mcid``: where new MCIDs come from)."""
    out: list = []
    stack: list[int | None] = []
    tags: list[str] = []
    splits: dict[int, list[tuple[bool, int]]] = {}
    fixed = 0
    i = 0
    while i < len(ops):
        operands, op = ops[i]
        name = str(op)
        if name == "BDC":
            props = operands[1] if len(operands) > 1 else None
            stack.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None)
            tags.append(str(operands[0]))
        elif name == "BMC":
            stack.append(None)
            tags.append(str(operands[0]))
        elif name == "EMC":
            stack.pop()
            tags.pop()
        elif name == "BT" and stack and stack[-1] in records:
            j = i
            while str(ops[j][1]) != "ET":
                j += 1
            tm, glyphs, end = _parse_text_object(ops[i:j + 1], widths)
            mcid = stack[-1]
            new_ops, count, split = rebuild(tm, glyphs, records[mcid], to_unicode, end, rtl_page,
                                            marks[1] if mcid == marks[0] else 0, (raised or {}).get(mcid),
                                            (german or {}).get(mcid, ()), new_mcid, tags[-1])
            out.extend(new_ops)
            fixed += count
            if split:
                splits[mcid] = split
            i = j + 1
            continue
        out.append((operands, op))
        i += 1
    return out, fixed, splits
