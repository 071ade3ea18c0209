"""Preflight: check finished print PDFs the way a print shop does (pikepdf, no rendering).

PDF/X-4 identification and a CMYK OutputIntent; TrimBox = the format, BleedBox = trim + bleed,
MediaBox at least that; page count a multiple of four; every font embedded and from the allowed
set; no RGB anywhere (operators, colour spaces, images, transparency groups); every image at
least the minimum resolution at its placed size; no encryption, forms or annotations.

Press risks, read from the content streams with their own interpreter (graphics state stack,
CTM, text matrix and size, line width, path extent, ExtGState overprint), each reported with
page and object: text below 12 pt or rules and marks thinner than 1 pt in more than one ink
(misregistration), rich black small text (K with C, M or Y under small text), total area
coverage above the profile's limit (300 % for FOGRA39; CMYK images too), hairlines below
0.25 pt (strokes of width 0 included), and white painted with overprint on (it vanishes on
press). The rules come from the print shops' data sheets (design notes, print requirements),
not from what kkguide.press writes.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import pikepdf

MM = 72 / 25.4
ALLOWED_FONTS = ("NotoSans", "Noto-Sans", "NotoNaskhArabic", "Noto-Naskh-Arabic", "NotoSansEthiopic",
                 "Noto-Sans-Ethiopic")
TOLERANCE_PT = 0.2


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    message: str


@dataclass(frozen=True)
class PreflightReport:
    path: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def text(self) -> str:
        lines = [f"{self.path}: {'PASS' if self.ok else 'FAIL'}"]
        lines += [f"  {'ok  ' if f.ok else 'FAIL'} {f.check}: {f.message}" for f in self.findings]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"path": self.path, "ok": self.ok, "findings": [asdict(f) for f in self.findings]}


@dataclass(frozen=True)
class PrintSpec:
    trim_mm: tuple[float, float] = (148.0, 210.0)
    bleed_mm: float = 3.0
    min_dpi: int = 300
    pages_multiple: int = 4    # saddle stitch; 1 for a one-page cover
    max_ink_percent: float = 300.0   # total area coverage the output profile allows (FOGRA39: 300 %)
    small_text_pt: float = 12.0      # text below this size in one ink only
    thin_rule_pt: float = 1.0        # rules and marks thinner than this in one ink only
    hairline_pt: float = 0.25        # nothing thinner than this prints reliably


def _box(page, name: str) -> list[float] | None:
    box = page.obj.get(name)
    return [float(v) for v in box] if box is not None else None


def _near(a: list[float], b: list[float]) -> bool:
    return all(abs(x - y) <= TOLERANCE_PT for x, y in zip(a, b))


def check_pdfx(pdf: pikepdf.Pdf) -> Finding:
    with pdf.open_metadata() as meta:
        version = meta.get("pdfxid:GTS_PDFXVersion") or ""
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not version.startswith("PDF/X-4"):
        return Finding("pdfx", False, f"not identified as PDF/X-4 (XMP GTS_PDFXVersion: {version or 'none'})")
    if not intents:
        return Finding("pdfx", False, "no PDF/X OutputIntent")
    profile = intents[0].get("/DestOutputProfile")
    if profile is None or int(profile.get("/N", 0)) != 4:
        return Finding("pdfx", False, "the OutputIntent has no CMYK output profile")
    return Finding("pdfx", True, f"{version}, OutputIntent {intents[0].get('/OutputConditionIdentifier')}")


def check_boxes(pdf: pikepdf.Pdf, spec: PrintSpec) -> Finding:
    w, h = (v * MM for v in spec.trim_mm)
    b = spec.bleed_mm * MM
    for number, page in enumerate(pdf.pages, 1):
        media, trim, bleed = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page, "/BleedBox")
        if trim is None or bleed is None:
            return Finding("boxes", False, f"page {number}: TrimBox or BleedBox missing")
        if not _near([trim[2] - trim[0], trim[3] - trim[1]], [w, h]):
            return Finding("boxes", False, f"page {number}: TrimBox is {(trim[2] - trim[0]) / MM:.1f} × "
                           f"{(trim[3] - trim[1]) / MM:.1f} mm, expected {spec.trim_mm[0]:g} × {spec.trim_mm[1]:g} mm")
        if not _near(bleed, [trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b]):
            return Finding("boxes", False, f"page {number}: BleedBox is not TrimBox + {spec.bleed_mm:g} mm")
        if not (media[0] <= bleed[0] + TOLERANCE_PT and media[1] <= bleed[1] + TOLERANCE_PT
                and media[2] >= bleed[2] - TOLERANCE_PT and media[3] >= bleed[3] - TOLERANCE_PT):
            return Finding("boxes", False, f"page {number}: MediaBox smaller than BleedBox")
    return Finding("boxes", True, f"TrimBox {spec.trim_mm[0]:g} × {spec.trim_mm[1]:g} mm, bleed {spec.bleed_mm:g} mm")


def check_page_count(pdf: pikepdf.Pdf, multiple: int) -> Finding:
    n = len(pdf.pages)
    ok = n % multiple == 0
    return Finding("pages", ok, f"{n} pages" + ("" if ok else f", not a multiple of {multiple} (saddle stitch)"))


def _fonts(resources, seen: set) -> list:
    found = []
    for _name, font in (resources.get("/Font") or {}).items():
        if font.objgen not in seen:
            seen.add(font.objgen)
            found.append(font)
    for _name, xobj in (resources.get("/XObject") or {}).items():
        if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
            seen.add(xobj.objgen)
            found.extend(_fonts(xobj.get("/Resources") or {}, seen))
    return found


def check_fonts(pdf: pikepdf.Pdf) -> Finding:
    seen: set = set()
    for page in pdf.pages:
        for font in _fonts(page.Resources, seen):
            name = str(font.get("/BaseFont", "/?"))[1:]
            plain = name.split("+", 1)[-1]
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0] if descendants else font).get("/FontDescriptor")
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return Finding("fonts", False, f"font {plain} is not embedded")
            if not plain.startswith(ALLOWED_FONTS):
                return Finding("fonts", False, f"font {plain} is not in the allowed set")
    return Finding("fonts", True, f"{len(seen)} font resources, all embedded and allowed")


def _is_rgb(space) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space == "/DeviceRGB" or space == "/CalRGB"
    if isinstance(space, pikepdf.Array) and len(space) > 1:
        if space[0] == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if space[0] in ("/Indexed", "/Separation", "/DeviceN"):
            return _is_rgb(space[1] if space[0] == "/Indexed" else space[2])
    return False


def _shading_problems(resources) -> list[str]:
    found = []
    for name, shading in (resources.get("/Shading") or {}).items():
        if _is_rgb(shading.get("/ColorSpace")):
            found.append(f"RGB shading {name}")
    for name, pattern in (resources.get("/Pattern") or {}).items():
        shading = pattern.get("/Shading")
        if shading is not None and _is_rgb(shading.get("/ColorSpace")):
            found.append(f"RGB shading pattern {name}")
    return found


class _Streams:
    """Each content stream parsed once per preflight, whichever checks walk it."""

    def __init__(self):
        self._parsed: dict = {}

    def parse(self, owner) -> list:
        key = (owner.obj if isinstance(owner, pikepdf.Page) else owner).objgen
        if key == (0, 0):  # a direct object: nothing to share it by
            return pikepdf.parse_content_stream(owner)
        if key not in self._parsed:
            self._parsed[key] = pikepdf.parse_content_stream(owner)
        return self._parsed[key]


def _scan(owner, resources, ctm, spec: PrintSpec, problems: list, seen: set, streams: _Streams) -> None:
    """Walk one content stream: RGB operators and images with their placed size."""
    problems.extend(_shading_problems(resources))
    stack, m = [], list(ctm)
    for operands, op in streams.parse(owner):
        name = str(op)
        if name == "q":
            stack.append(list(m))
        elif name == "Q" and stack:
            m = stack.pop()
        elif name == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = [a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2], c * m[1] + d * m[3],
                 e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5]]
        elif name in ("rg", "RG"):
            problems.append(f"RGB colour operator '{name}'")
        elif name in ("cs", "CS"):
            space = (resources.get("/ColorSpace") or {}).get(str(operands[0]), operands[0])
            if _is_rgb(space):
                problems.append(f"RGB colour space {operands[0]}")
        elif name == "Do":
            xobj = (resources.get("/XObject") or {}).get(str(operands[0]))
            if xobj is None:
                continue
            if xobj.get("/Subtype") == "/Image":
                if _is_rgb(xobj.get("/ColorSpace")):
                    problems.append(f"RGB image {operands[0]}")
                width_in = math.hypot(m[0], m[1]) / 72
                height_in = math.hypot(m[2], m[3]) / 72
                if width_in > 0 and height_in > 0:
                    dpi = min(int(xobj.Width) / width_in, int(xobj.Height) / height_in)
                    if dpi < spec.min_dpi:
                        problems.append(f"image {operands[0]} at {dpi:.0f} dpi (at least {spec.min_dpi})")
            elif xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                group = xobj.get("/Group")
                if group is not None and _is_rgb(group.get("/CS")):
                    problems.append("RGB transparency group")
                _scan(xobj, xobj.get("/Resources") or resources, m, spec, problems, seen, streams)


def check_colour_and_images(pdf: pikepdf.Pdf, spec: PrintSpec, streams: _Streams | None = None) -> list[Finding]:
    streams = streams or _Streams()
    colour, images = [], []
    for number, page in enumerate(pdf.pages, 1):
        problems: list[str] = []
        group = page.obj.get("/Group")
        if group is not None and _is_rgb(group.get("/CS")):
            problems.append("RGB page transparency group")
        _scan(page, page.Resources, [1, 0, 0, 1, 0, 0], spec, problems, set(), streams)
        colour += [f"page {number}: {p}" for p in problems if "dpi" not in p]
        images += [f"page {number}: {p}" for p in problems if "dpi" in p]
    return [Finding("colour", not colour, colour[0] + (f" (+{len(colour) - 1} more)" if len(colour) > 1 else "")
                    if colour else "CMYK only"),
            Finding("images", not images, images[0] if images else f"every image at least {spec.min_dpi} dpi")]


# --- press risks: inks per painted object ---------------------------------------------------

_FILL_OPS = {"f", "F", "f*"}
_STROKE_OPS = {"S", "s"}
_BOTH_OPS = {"B", "B*", "b", "b*"}
_SHOW_OPS = {"Tj", "TJ", "'", '"'}
_PATH_OPS = {"m", "l", "c", "v", "y", "re"}
_PROCESS = "CMYK"


def _mat(a: list[float], m: list[float]) -> list[float]:
    return [a[0] * m[0] + a[1] * m[2], a[0] * m[1] + a[1] * m[3], a[2] * m[0] + a[3] * m[2],
            a[2] * m[1] + a[3] * m[3], a[4] * m[0] + a[5] * m[2] + m[4], a[4] * m[1] + a[5] * m[3] + m[5]]


def _inks(space: str, values: tuple[float, ...]) -> dict[str, float] | None:
    """Process inks (name -> tint) of a colour; None when the space is not a process space we
    can judge (RGB is reported by the colour check)."""
    if space == "gray":
        return {"K": 1.0 - values[0]} if values else {"K": 1.0}
    if space == "cmyk" and len(values) == 4:
        return dict(zip(_PROCESS, values))
    if space.startswith("sep:"):
        return {space[4:]: values[0] if values else 1.0}
    return None


def _used(inks: dict[str, float]) -> list[str]:
    return [name for name, tint in inks.items() if tint > 0.005]


def _colour_text(inks: dict[str, float]) -> str:
    return " ".join(f"{n}{round(t * 100):d}" for n, t in inks.items() if t > 0.005) or "white"


@dataclass
class _Ink:
    """The graphics state an ink check needs (saved by q, restored by Q)."""

    ctm: list[float]
    fill: tuple[str, tuple[float, ...]] = ("gray", (0.0,))
    stroke: tuple[str, tuple[float, ...]] = ("gray", (0.0,))
    width: float = 1.0
    overprint_fill: bool = False
    overprint_stroke: bool = False

    def copy(self) -> "_Ink":
        return _Ink(list(self.ctm), self.fill, self.stroke, self.width, self.overprint_fill, self.overprint_stroke)


def _space_kind(space) -> str:
    """"cmyk", "gray", "sep:NAME" or "other" for a colour space object."""
    if isinstance(space, pikepdf.Name):
        return {"/DeviceCMYK": "cmyk", "/DeviceGray": "gray", "/CalGray": "gray"}.get(str(space), "other")
    if isinstance(space, pikepdf.Array) and len(space) > 1:
        kind = str(space[0])
        if kind == "/ICCBased":
            return {4: "cmyk", 1: "gray"}.get(int(space[1].get("/N", 0)), "other")
        if kind == "/Separation":
            name = str(space[1])[1:]
            return "sep:" + {"Cyan": "C", "Magenta": "M", "Yellow": "Y", "Black": "K"}.get(name, name)
    return "other"


class _InkScan:
    """Walks content streams (pages and the forms they draw) and records press risks."""

    def __init__(self, spec: PrintSpec, streams: _Streams):
        self.spec, self.streams = spec, streams
        self.found: dict[str, list[str]] = {"fine-inks": [], "rich-black": [], "ink-limit": [], "hairlines": [],
                                            "overprint": []}

    def add(self, check: str, where: str, what: str) -> None:
        if len(self.found[check]) < 200:
            self.found[check].append(f"{where}: {what}")

    def scan(self, owner, resources, ctm: list[float], where: str, seen: set) -> None:
        gs = _Ink(list(ctm))
        stack: list[_Ink] = []
        text_matrix, font, size = [1.0, 0, 0, 1.0, 0, 0], "?", 0.0
        box: list[float] | None = None
        spaces = resources.get("/ColorSpace") or {}
        for operands, op in self.streams.parse(owner):
            name = str(op)
            if name == "q":
                stack.append(gs.copy())
            elif name == "Q" and stack:
                gs = stack.pop()
            elif name == "cm":
                gs.ctm = _mat([float(v) for v in operands], gs.ctm)
            elif name == "w":
                gs.width = float(operands[0])
            elif name in ("k", "K"):
                colour = ("cmyk", tuple(float(v) for v in operands))
                gs.fill, gs.stroke = (colour, gs.stroke) if name == "k" else (gs.fill, colour)
            elif name in ("g", "G"):
                colour = ("gray", tuple(float(v) for v in operands))
                gs.fill, gs.stroke = (colour, gs.stroke) if name == "g" else (gs.fill, colour)
            elif name in ("cs", "CS"):
                kind = _space_kind(spaces.get(str(operands[0]), operands[0]))
                initial = {"cmyk": (0.0, 0.0, 0.0, 1.0), "gray": (0.0,)}.get(kind, (1.0,))
                gs.fill, gs.stroke = ((kind, initial), gs.stroke) if name == "cs" else (gs.fill, (kind, initial))
            elif name in ("sc", "scn", "SC", "SCN"):
                values = tuple(float(v) for v in operands if isinstance(v, (int, float, pikepdf.Object))
                               and not isinstance(v, pikepdf.Name))
                if name in ("sc", "scn"):
                    gs.fill = (gs.fill[0], values)
                else:
                    gs.stroke = (gs.stroke[0], values)
            elif name == "gs":
                state = (resources.get("/ExtGState") or {}).get(str(operands[0]))
                if state is not None:
                    if "/OP" in state:
                        gs.overprint_stroke = bool(state.OP)
                        gs.overprint_fill = bool(state.get("/op", state.OP))
                    if "/op" in state:
                        gs.overprint_fill = bool(state.op)
                    if "/LW" in state:
                        gs.width = float(state.LW)
            elif name == "BT":
                text_matrix = [1.0, 0, 0, 1.0, 0, 0]
            elif name == "Tf":
                font, size = str(operands[0])[1:], float(operands[1])
            elif name == "Tm":
                text_matrix = [float(v) for v in operands]
            elif name in _SHOW_OPS:
                m = _mat(text_matrix, gs.ctm)
                shown = size * math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
                self.paint(where, f"text {shown:.1f} pt (font {font})", gs.fill, gs.overprint_fill,
                           fine=shown < self.spec.small_text_pt, text=shown < self.spec.small_text_pt)
            elif name in _PATH_OPS:
                values = [float(v) for v in operands]
                points = ([(values[0], values[1]), (values[0] + values[2], values[1] + values[3]),
                           (values[0] + values[2], values[1]), (values[0], values[1] + values[3])]
                          if name == "re" else list(zip(values[0::2], values[1::2])))
                m = gs.ctm
                for x, y in points:
                    px, py = x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]
                    box = [px, py, px, py] if box is None else [min(box[0], px), min(box[1], py),
                                                                max(box[2], px), max(box[3], py)]
            elif name in _FILL_OPS or name in _STROKE_OPS or name in _BOTH_OPS:
                if name not in _STROKE_OPS and box is not None:
                    extent = min(box[2] - box[0], box[3] - box[1])
                    label = f"filled shape {extent:.2f} pt thin" if extent < self.spec.thin_rule_pt else "filled area"
                    self.paint(where, label, gs.fill, gs.overprint_fill, fine=extent < self.spec.thin_rule_pt)
                    if 0 < extent < self.spec.hairline_pt and (box[2] - box[0]) + (box[3] - box[1]) > 2:
                        self.add("hairlines", where, f"filled rule {extent:.2f} pt thin")
                if name in _STROKE_OPS or name in _BOTH_OPS:
                    scale = math.sqrt(abs(gs.ctm[0] * gs.ctm[3] - gs.ctm[1] * gs.ctm[2]))
                    width = gs.width * scale
                    self.paint(where, f"stroke {width:.2f} pt", gs.stroke, gs.overprint_stroke,
                               fine=width < self.spec.thin_rule_pt)
                    if width < self.spec.hairline_pt:
                        self.add("hairlines", where, f"stroke {width:.2f} pt wide" + (" (width 0: the thinnest the "
                                                                                      "device can draw)" if width == 0 else ""))
                box = None
            elif name == "n":
                box = None
            elif name == "Do":
                xobj = (resources.get("/XObject") or {}).get(str(operands[0]))
                if xobj is None:
                    continue
                if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                    seen.add(xobj.objgen)
                    self.scan(xobj, xobj.get("/Resources") or resources, _mat(
                        [float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0])], gs.ctm),
                        f"{where}, form {operands[0]}", seen)
                elif xobj.get("/Subtype") == "/Image":
                    self.image(where, str(operands[0]), xobj)

    def paint(self, where: str, what: str, colour, overprint: bool, fine: bool, text: bool = False) -> None:
        inks = _inks(*colour)
        if inks is None:
            return
        used = _used(inks)
        total = sum(inks.values()) * 100
        if total > self.spec.max_ink_percent + 0.5:
            self.add("ink-limit", where, f"{what} in {_colour_text(inks)} ({total:.0f} % ink)")
        if fine and len(used) > 1:
            self.add("fine-inks", where, f"{what} in {len(used)} inks ({_colour_text(inks)})")
        if text and "K" in used and inks["K"] >= 0.5 and len(used) > 1:
            self.add("rich-black", where, f"{what} in rich black ({_colour_text(inks)})")
        if overprint and not used:
            self.add("overprint", where, f"{what} in white with overprint on (it disappears on press)")

    def image(self, where: str, name: str, xobj) -> None:
        if _space_kind(xobj.get("/ColorSpace")) != "cmyk" or int(xobj.get("/BitsPerComponent", 8)) != 8:
            return
        try:
            pixels = pikepdf.PdfImage(xobj).as_pil_image()
        except Exception:  # noqa: BLE001 - an image we cannot decode is the renderer's problem, not ours
            return
        if pixels.mode != "CMYK":
            return
        bands = [band.tobytes() for band in pixels.split()]
        worst = max(map(sum, zip(*bands)), default=0)
        total = worst / 255 * 100
        if total > self.spec.max_ink_percent + 0.5:
            self.add("ink-limit", where, f"image {name} with {total:.0f} % ink at its darkest")


_INK_CHECKS = (
    ("fine-inks", "text below {small:g} pt, rules and marks below {thin:g} pt in one ink"),
    ("rich-black", "no rich black small text"),
    ("ink-limit", "total area coverage at most {limit:g} %"),
    ("hairlines", "no line thinner than {hair:g} pt"),
    ("overprint", "no white overprint"),
)


def check_inks(pdf: pikepdf.Pdf, spec: PrintSpec, streams: _Streams | None = None) -> list[Finding]:
    scan = _InkScan(spec, streams or _Streams())
    for number, page in enumerate(pdf.pages, 1):
        scan.scan(page, page.Resources, [1.0, 0, 0, 1.0, 0, 0], f"page {number}", set())
    findings = []
    for check, ok_text in _INK_CHECKS:
        problems = scan.found[check]
        if problems:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            findings.append(Finding(check, False, problems[0] + more))
        else:
            findings.append(Finding(check, True, ok_text.format(small=spec.small_text_pt, thin=spec.thin_rule_pt,
                                                                limit=spec.max_ink_percent, hair=spec.hairline_pt)))
    return findings


def check_clean(pdf: pikepdf.Pdf) -> Finding:
    if pdf.is_encrypted:
        return Finding("clean", False, "encrypted")
    if "/AcroForm" in pdf.Root:
        return Finding("clean", False, "has a form (AcroForm)")
    names = pdf.Root.get("/Names")
    if (names is not None and "/EmbeddedFiles" in names) or "/AF" in pdf.Root:
        return Finding("clean", False, "carries embedded files")
    for number, page in enumerate(pdf.pages, 1):
        if page.obj.get("/Annots"):
            return Finding("clean", False, f"page {number} has annotations (links or comments)")
    return Finding("clean", True, "no encryption, forms, annotations or embedded files")


def preflight(source: Path | bytes, spec: PrintSpec = PrintSpec(), label: str | None = None) -> PreflightReport:
    path = label or str(source)
    try:
        pdf = pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except pikepdf.PasswordError:
        return PreflightReport(str(path), (Finding("clean", False, "encrypted"),))
    except (pikepdf.PdfError, OSError) as exc:
        return PreflightReport(str(path), (Finding("file", False, f"not a readable PDF: {exc}"),))
    with pdf:
        streams = _Streams()
        findings = [check_pdfx(pdf), check_boxes(pdf, spec), check_page_count(pdf, spec.pages_multiple), check_fonts(pdf),
                    *check_colour_and_images(pdf, spec, streams), *check_inks(pdf, spec, streams), check_clean(pdf)]
    return PreflightReport(path, tuple(findings))


def reports_json(reports: list[PreflightReport]) -> str:
    return json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False)
