"""Print post-processing of a WeasyPrint PDF/X-4: everything CMYK, press-safe, no annotations,
reproducible.

WeasyPrint writes the PDF/X-4 identification and an OutputIntent, but no colour conversion:
text and SVG artwork stay DeviceRGB (``rg``/``RG`` operators). Here every such colour is
replaced by CMYK at the point where it paints, chosen by what it paints:

- **areas** (backgrounds, illustrations, text of 12 pt and more, rules of 1 pt and more): through
  the output profile with littleCMS (Pillow's ImageCms, relative colorimetric), neutral greys
  as pure K, total ink capped at the profile's limit;
- **fine work** (text below 12 pt, rules and other marks thinner than 1 pt: running heads, page
  numbers, table rules, dotted marks): **one ink**, a K tint of the colour's luma, so that
  misregistration on press cannot fringe it and no rich black small text is printed.

So one RGB colour can print as two CMYK colours (a blue heading and the same blue in a 9 pt
link). Each colour is converted once per document (a cache per value; the transform is built
once per profile). Links are removed (a print file carries no annotations), the OutputIntent gets
its registry entries, and the XMP DocumentID, which WeasyPrint takes from uuid4, is derived from
the content, so that two builds give the same bytes. ``kkguide.preflight`` checks the result with
its own reading of the content streams.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import pikepdf
from PIL import Image, ImageCms

SMALL_TEXT_PT = 12.0      # text below this size prints in one ink
THIN_RULE_PT = 1.0        # strokes and filled marks thinner than this print in one ink
MAX_INK = 3.0             # total area coverage (300 %) an area colour is capped at (FOGRA39)

_FILL_PAINT = {"f", "F", "f*"}
_STROKE_PAINT = {"S", "s"}
_BOTH_PAINT = {"B", "B*", "b", "b*"}
_TEXT_SHOW = {"Tj", "TJ", "'", '"'}
_PATH = {"m", "l", "c", "v", "y", "re", "h"}
_ENDS_PATH = _FILL_PAINT | _STROKE_PAINT | _BOTH_PAINT | {"n"}
Cmyk = tuple[float, float, float, float]


@lru_cache(maxsize=8)
def _transform(profile: bytes) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(io.BytesIO(profile)),
                                   "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def _clamp(rgb) -> tuple[float, float, float]:
    return tuple(min(max(float(v), 0.0), 1.0) for v in rgb)  # type: ignore[return-value]


def _neutral(r: float, g: float, b: float) -> bool:
    return abs(r - g) < 1e-3 and abs(g - b) < 1e-3


def limit_ink(cmyk: Cmyk, limit: float = MAX_INK) -> Cmyk:
    """Scale C, M and Y down so that C+M+Y+K stays within ``limit`` (K is kept: it carries the
    detail). Colours within the limit are returned unchanged."""
    c, m, y, k = cmyk
    if c + m + y + k <= limit + 1e-9:
        return cmyk
    factor = max(limit - k, 0.0) / (c + m + y)
    return tuple(math.floor(v * factor * 1e4) / 1e4 for v in (c, m, y)) + (k,)  # type: ignore[return-value]


def rgb_to_cmyk(rgb: tuple[float, float, float], profile: bytes) -> Cmyk:
    """An area colour: neutral greys as K only, others through the profile, ink limited."""
    r, g, b = _clamp(rgb)
    if _neutral(r, g, b):  # neutral: black ink only
        return 0.0, 0.0, 0.0, round(1.0 - r, 4)
    pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (r, g, b)))
    c, m, y, k = ImageCms.applyTransform(pixel, _transform(profile)).getpixel((0, 0))
    return limit_ink(tuple(round(v / 255, 4) for v in (c, m, y, k)))  # type: ignore[arg-type]


def one_ink(rgb: tuple[float, float, float]) -> Cmyk:
    """Fine work: a K tint of the colour's luma (Rec. 601 weights; neutral greys keep their K)."""
    r, g, b = _clamp(rgb)
    grey = r if _neutral(r, g, b) else 0.299 * r + 0.587 * g + 0.114 * b
    return 0.0, 0.0, 0.0, round(1.0 - grey, 4)


@dataclass
class Converter:
    """Colour conversion for one document: each (colour, use) converted once."""

    profile: bytes
    cache: dict = field(default_factory=dict)

    def __call__(self, rgb: tuple[float, ...], fine: bool) -> Cmyk:
        key = (rgb, fine)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = one_ink(rgb) if fine else rgb_to_cmyk(rgb, self.profile)  # type: ignore[arg-type]
        return found


def _mul(a: list[float], m: list[float]) -> list[float]:
    """The matrix product a × m of two PDF matrices [a b c d e f]."""
    return [a[0] * m[0] + a[1] * m[2], a[0] * m[1] + a[1] * m[3], a[2] * m[0] + a[3] * m[2],
            a[2] * m[1] + a[3] * m[3], a[4] * m[0] + a[5] * m[2] + m[4], a[4] * m[1] + a[5] * m[3] + m[5]]


def _scale(m: list[float]) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


@dataclass
class _Graphics:
    """The part of the graphics state colour choice depends on, in the source (``fill``,
    ``stroke``: RGB, or None when the source set no RGB colour) and in the output (``fill_out``,
    ``stroke_out``: the CMYK last written, or None)."""

    ctm: list[float]
    fill: tuple | None = None
    stroke: tuple | None = None
    fill_out: Cmyk | None = None
    stroke_out: Cmyk | None = None
    line_width: float = 1.0

    def copy(self) -> "_Graphics":
        return _Graphics(list(self.ctm), self.fill, self.stroke, self.fill_out, self.stroke_out, self.line_width)


class _Rewriter:
    """Walks one content stream and writes it again with every RGB colour replaced by the CMYK
    of the use it paints (colour operators move to just before the path or text they colour)."""

    def __init__(self, convert: Converter):
        self.convert = convert
        self.out: list = []
        self.gs = _Graphics([1.0, 0, 0, 1.0, 0, 0])
        self.stack: list[_Graphics] = []
        self.text_matrix = [1.0, 0, 0, 1.0, 0, 0]
        self.font_size = 0.0
        self.path_start: int | None = None
        self.path_box: list[float] | None = None
        self.changed = False

    def _point(self, x: float, y: float) -> None:
        m = self.gs.ctm
        px, py = x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]
        box = self.path_box
        if box is None:
            self.path_box = [px, py, px, py]
        else:
            box[0], box[1], box[2], box[3] = min(box[0], px), min(box[1], py), max(box[2], px), max(box[3], py)

    def _path(self, name: str, values: list[float]) -> None:
        if self.path_start is None:
            self.path_start = len(self.out)
        if name == "re":
            x, y, w, h = values
            for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
                self._point(px, py)
        else:
            for i in range(0, len(values) - 1, 2):
                self._point(values[i], values[i + 1])

    def _set(self, stroke: bool, fine: bool, at: int) -> None:
        source = self.gs.stroke if stroke else self.gs.fill
        if source is None:
            return
        cmyk = self.convert(source, fine)
        if cmyk == (self.gs.stroke_out if stroke else self.gs.fill_out):
            return
        self.out.insert(at, pikepdf.ContentStreamInstruction(list(cmyk), pikepdf.Operator("K" if stroke else "k")))
        if stroke:
            self.gs.stroke_out = cmyk
        else:
            self.gs.fill_out = cmyk

    def _paint(self, name: str) -> None:
        at = self.path_start if self.path_start is not None else len(self.out)
        box = self.path_box
        filled_thin = box is not None and min(box[2] - box[0], box[3] - box[1]) < THIN_RULE_PT
        stroke_thin = self.gs.line_width * _scale(self.gs.ctm) < THIN_RULE_PT
        if name in _FILL_PAINT or name in _BOTH_PAINT:
            self._set(False, filled_thin, at)
        if name in _STROKE_PAINT or name in _BOTH_PAINT:
            self._set(True, stroke_thin, at)

    def feed(self, instruction) -> None:
        operands, op = instruction.operands, instruction.operator
        name = str(op)
        gs = self.gs
        if name == "rg" and len(operands) == 3:
            gs.fill = tuple(float(v) for v in operands)
            self.changed = True
            return
        if name == "RG" and len(operands) == 3:
            gs.stroke = tuple(float(v) for v in operands)
            self.changed = True
            return
        if name in ("g", "k", "cs", "sc", "scn"):   # another fill colour, kept as written
            gs.fill, gs.fill_out = None, None
        elif name in ("G", "K", "CS", "SC", "SCN"):
            gs.stroke, gs.stroke_out = None, None
        elif name == "q":
            self.stack.append(gs.copy())
        elif name == "Q":
            if self.stack:
                self.gs = self.stack.pop()
        elif name == "cm":
            gs.ctm = _mul([float(v) for v in operands], gs.ctm)
        elif name == "w":
            gs.line_width = float(operands[0])
        elif name == "BT":
            self.text_matrix = [1.0, 0, 0, 1.0, 0, 0]
        elif name == "Tf":
            self.font_size = float(operands[1])
        elif name == "Tm":
            self.text_matrix = [float(v) for v in operands]
        elif name in _TEXT_SHOW:
            size = self.font_size * _scale(_mul(self.text_matrix, gs.ctm))
            self._set(False, size < SMALL_TEXT_PT, len(self.out))
        elif name in _PATH:
            self._path(name, [float(v) for v in operands])
        elif name in _FILL_PAINT or name in _STROKE_PAINT or name in _BOTH_PAINT:
            self._paint(name)
        elif name == "Do":  # a form XObject or an image mask paints with the current colours
            self._set(False, False, len(self.out))
            self._set(True, False, len(self.out))
        if name in _ENDS_PATH:
            self.path_start, self.path_box = None, None
        self.out.append(instruction)


def _convert_stream(pdf: pikepdf.Pdf, owner, convert: Converter) -> None:
    raw = owner.obj.Contents.read_bytes() if isinstance(owner, pikepdf.Page) else owner.read_bytes()
    if b"rg" not in raw and b"RG" not in raw:
        return  # no RGB colour operator can be in a stream without these bytes
    rewriter = _Rewriter(convert)
    for instruction in pikepdf.parse_content_stream(owner):
        rewriter.feed(instruction)
    if not rewriter.changed:
        return
    data = zlib.compress(pikepdf.unparse_content_stream(rewriter.out))
    if isinstance(owner, pikepdf.Page):
        owner.obj.Contents = pdf.make_stream(data, Filter=pikepdf.Name.FlateDecode)
    else:
        owner.write(data, filter=pikepdf.Name.FlateDecode)


def _forms(resources) -> list:
    found = []
    for _name, xobj in (resources.get("/XObject") or {}).items():
        if xobj.get("/Subtype") == "/Form":
            found.append(xobj)
            found.extend(_forms(xobj.get("/Resources") or {}))
    return found


def to_press(data: bytes, profile: bytes, condition: str) -> bytes:
    """``profile``: the output ICC profile's bytes (read through the project's one door)."""
    convert = Converter(profile)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seen = set()
        for page in pdf.pages:
            page.contents_coalesce()
            _convert_stream(pdf, page, convert)
            for form in _forms(page.Resources):
                if form.objgen not in seen:
                    seen.add(form.objgen)
                    _convert_stream(pdf, form, convert)
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
            group = page.obj.get("/Group")
            if group is not None and group.get("/CS") == "/DeviceRGB":
                group.CS = pikepdf.Name.DeviceCMYK
        for intent in pdf.Root.get("/OutputIntents", []):
            if "/DestOutputProfile" in intent:  # the profile file itself (kkguide.pdf.with_bleed leaves
                # it empty; WeasyPrint's own embedding is Pillow's re-serialisation, twice the size)
                intent.DestOutputProfile.write(zlib.compress(profile), filter=pikepdf.Name.FlateDecode)
            intent.OutputConditionIdentifier = pikepdf.String(condition)
            intent.OutputCondition = pikepdf.String(condition)
            intent.RegistryName = pikepdf.String("http://www.color.org")
            intent.Info = pikepdf.String(condition)
        digest = hashlib.sha256(b"".join(page.Contents.read_bytes() if "/Contents" in page.obj else b""
                                         for page in pdf.pages)).hexdigest()
        uid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmpMM:DocumentID"] = f"xmp.did:{uid}"
            meta["xmpMM:InstanceID"] = f"xmp.iid:{uid}"
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]  # WeasyPrint's first ID half is random; let both halves come from content
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()
