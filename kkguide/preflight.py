"""Preflight: check finished print PDFs the way a print shop does (pikepdf, no rendering).

PDF/X-4 identification and a CMYK OutputIntent; TrimBox = the format, BleedBox = trim + bleed,
MediaBox at least that; page count a multiple of four; every font embedded and from the allowed
set; no RGB anywhere (operators, colour spaces, images, transparency groups); every image at
least the minimum resolution at its placed size; no encryption, forms or annotations.
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


def _scan(owner, resources, ctm, spec: PrintSpec, problems: list, seen: set) -> None:
    """Walk one content stream: RGB operators and images with their placed size."""
    problems.extend(_shading_problems(resources))
    stack, m = [], list(ctm)
    for operands, op in pikepdf.parse_content_stream(owner):
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
                _scan(xobj, xobj.get("/Resources") or resources, m, spec, problems, seen)


def check_colour_and_images(pdf: pikepdf.Pdf, spec: PrintSpec) -> list[Finding]:
    colour, images = [], []
    for number, page in enumerate(pdf.pages, 1):
        problems: list[str] = []
        group = page.obj.get("/Group")
        if group is not None and _is_rgb(group.get("/CS")):
            problems.append("RGB page transparency group")
        _scan(page, page.Resources, [1, 0, 0, 1, 0, 0], spec, problems, set())
        colour += [f"page {number}: {p}" for p in problems if "dpi" not in p]
        images += [f"page {number}: {p}" for p in problems if "dpi" in p]
    return [Finding("colour", not colour, colour[0] + (f" (+{len(colour) - 1} more)" if len(colour) > 1 else "")
                    if colour else "CMYK only"),
            Finding("images", not images, images[0] if images else f"every image at least {spec.min_dpi} dpi")]


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
        findings = [check_pdfx(pdf), check_boxes(pdf, spec), check_page_count(pdf, spec.pages_multiple), check_fonts(pdf),
                    *check_colour_and_images(pdf, spec), check_clean(pdf)]
    return PreflightReport(path, tuple(findings))


def reports_json(reports: list[PreflightReport]) -> str:
    return json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False)
