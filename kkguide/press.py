"""Print post-processing of a WeasyPrint PDF/X-4: everything CMYK, no annotations, reproducible.

WeasyPrint writes the PDF/X-4 identification and an OutputIntent, but no colour conversion:
text and SVG artwork stay DeviceRGB (``rg``/``RG`` operators). Here every such colour is
converted through the output profile with littleCMS (Pillow's ImageCms, relative colorimetric),
except neutral greys, which become pure K so that black text is 100 % K. Links are removed (a
print file carries no annotations), the OutputIntent gets its registry entries, and the XMP
DocumentID, which WeasyPrint takes from uuid4, is derived from the content, so that two builds
give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from functools import lru_cache

import pikepdf
from PIL import Image, ImageCms

_RGB_OPS = {"rg": "k", "RG": "K"}


@lru_cache(maxsize=8)
def _transform(profile: bytes) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(io.BytesIO(profile)),
                                   "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def rgb_to_cmyk(rgb: tuple[float, float, float], profile: bytes) -> tuple[float, float, float, float]:
    r, g, b = (min(max(float(v), 0.0), 1.0) for v in rgb)
    if abs(r - g) < 1e-3 and abs(g - b) < 1e-3:  # neutral: black ink only
        return 0.0, 0.0, 0.0, round(1.0 - r, 4)
    pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (r, g, b)))
    c, m, y, k = ImageCms.applyTransform(pixel, _transform(profile)).getpixel((0, 0))
    return tuple(round(v / 255, 4) for v in (c, m, y, k))


def _convert_stream(pdf: pikepdf.Pdf, owner, profile: bytes) -> None:
    instructions = []
    changed = False
    for operands, op in pikepdf.parse_content_stream(owner):
        name = str(op)
        if name in _RGB_OPS and len(operands) == 3:
            cmyk = rgb_to_cmyk(tuple(float(v) for v in operands), profile)
            instructions.append(pikepdf.ContentStreamInstruction([*cmyk], pikepdf.Operator(_RGB_OPS[name])))
            changed = True
        else:
            instructions.append(pikepdf.ContentStreamInstruction(operands, op))
    if not changed:
        return
    data = zlib.compress(pikepdf.unparse_content_stream(instructions), 9)
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
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seen = set()
        for page in pdf.pages:
            page.contents_coalesce()
            _convert_stream(pdf, page, profile)
            for form in _forms(page.Resources):
                if form.objgen not in seen:
                    seen.add(form.objgen)
                    _convert_stream(pdf, form, profile)
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
            group = page.obj.get("/Group")
            if group is not None and group.get("/CS") == "/DeviceRGB":
                group.CS = pikepdf.Name.DeviceCMYK
        for intent in pdf.Root.get("/OutputIntents", []):
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
