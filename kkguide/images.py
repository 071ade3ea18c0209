"""Images a guide may use: decoded and checked before anything renders or is published.

- Raster images (PNG, JPEG): Pillow reads the header first; more than ``MAX_PIXELS`` decoded
  pixels is refused before decoding (a 420 KB PNG can decode to 12,000 × 12,000 px, 1.2 GB of
  memory per render), then the image is decoded once, with Pillow's warnings turned into errors.
- SVG: parsed with defusedxml (no DTD, no entities) and checked against an allow-list: drawing
  elements and presentation attributes only. No script, no event handlers, no foreignObject, no
  reference that leaves the file (``href`` only to ``#fragment``, ``url()`` only to ``#id``).
  The same check guards the PDF (WeasyPrint) and the web edition, which publishes the SVG again
  serialised from the checked tree.
"""

from __future__ import annotations

import io
import re
import warnings
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image

MAX_PIXELS = 40_000_000          # 40 Mpx: an A5 page at 300 dpi is 8.7 Mpx
MAX_SVG_ELEMENTS = 20_000
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "path", "rect", "circle",
    "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient",
    "radialGradient", "stop", "clipPath", "mask", "pattern", "marker", "style",
}
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:", re.IGNORECASE)


class ImageProblem(ValueError):
    """Why an image cannot be used (the message names it)."""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _check_css(text: str, where: str) -> None:
    if _CSS_DANGER.search(text):
        raise ImageProblem(f"{where} contains {_CSS_DANGER.search(text).group(0)!r}")
    for target in _URL.findall(text):
        if not target.startswith("#"):
            raise ImageProblem(f"{where} refers to {target or 'an empty url()'} (only url(#id) is allowed)")


def check_svg(data: bytes) -> ElementTree.Element:
    """The parsed SVG if it is safe to render and publish; otherwise ImageProblem."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImageProblem(f"SVG with a DTD or entities ({type(exc).__name__})") from None
    except ElementTree.ParseError as exc:
        raise ImageProblem(f"not valid SVG ({exc})") from None
    ns, name = _local(root.tag)
    if name != "svg" or ns != SVG_NS:
        raise ImageProblem("not an SVG document (root element must be <svg> in the SVG namespace)")
    count = 0
    for element in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise ImageProblem(f"SVG with more than {MAX_SVG_ELEMENTS:,} elements")
        ns, name = _local(element.tag)
        if ns != SVG_NS or name not in _ELEMENTS:
            raise ImageProblem(f"SVG element <{name}> is not allowed (script, foreignObject, image, "
                               "a and other elements that run code or load content are refused)")
        if name == "style":
            _check_css(element.text or "", "SVG <style>")
        for attr, value in element.attrib.items():
            ans, aname = _local(attr)
            if aname.lower().startswith("on"):
                raise ImageProblem(f"SVG event handler {aname}=… on <{name}> is not allowed")
            if aname == "href" and ans in ("", XLINK_NS):
                if not value.strip().startswith("#"):
                    raise ImageProblem(f"SVG <{name}> refers to {value!r} (only #fragment links are allowed)")
            elif ans not in ("", XLINK_NS, "http://www.w3.org/XML/1998/namespace"):
                raise ImageProblem(f"SVG attribute {attr} from a foreign namespace is not allowed")
            if "url(" in value.lower() or aname == "style":
                _check_css(value, f"SVG attribute {aname} on <{name}>")
    return root


def safe_svg(data: bytes) -> bytes:
    """The checked SVG serialised again: what the web edition publishes."""
    root = check_svg(data)
    for element in root.iter():  # plain SVG names, and xlink:href as SVG 2 href: no prefixes needed
        element.tag = _local(element.tag)[1]
        if f"{{{XLINK_NS}}}href" in element.attrib:
            element.set("href", element.attrib.pop(f"{{{XLINK_NS}}}href"))
    root.set("xmlns", SVG_NS)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def check_raster(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG that decodes cleanly within ``MAX_PIXELS``."""
    try:
        with warnings.catch_warnings():
            # opening reads the header only; our own limit, far below Pillow's, decides
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.format not in ("PNG", "JPEG"):
                raise ImageProblem(f"{image.format} images are not supported (use PNG, JPEG or SVG)")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageProblem(f"{width:,} × {height:,} px is {width * height / 1e6:.0f} Mpx, "
                                   f"more than the limit of {MAX_PIXELS / 1e6:.0f} Mpx")
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a truncated or odd file: an error, not a warning
                image.load()
    except ImageProblem:
        raise
    except Image.DecompressionBombError:
        raise ImageProblem(f"more than the limit of {MAX_PIXELS / 1e6:.0f} Mpx") from None
    except (OSError, SyntaxError, ValueError, Warning) as exc:
        raise ImageProblem(f"not a readable image ({exc})") from None
    return width, height


# CSS pixels per unit of an SVG length (CSS Values: 96 px to the inch)
_SVG_UNITS = {"": 1.0, "px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
              "pt": 96 / 72, "pc": 16.0}
_SVG_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|in|cm|mm|q|pt|pc)?\s*$", re.IGNORECASE)
# an SVG with neither a size nor a viewBox: the browser's default object size (CSS Images 3)
SVG_DEFAULT_SIZE = (300, 150)


def _svg_length(value: str | None) -> float | None:
    match = _SVG_LENGTH.match(value or "")
    if not match:
        return None  # absent, a percentage, em/ex (depend on the page): not a size of the image
    number = float(match.group(1)) * _SVG_UNITS[(match.group(2) or "").lower()]
    return number if number > 0 else None


def image_size(name: str, data: bytes) -> tuple[int, int]:
    """The size an ``<img>`` shows ``data`` at, in CSS pixels, for its width and height attributes
    (the page reserves the space before the image loads): a PNG's or JPEG's pixels; an SVG's
    width and height (absolute lengths), the missing one from the viewBox's aspect ratio, else the
    viewBox's size, else the browser's default 300 × 150."""
    if not name.lower().endswith(".svg"):
        return check_raster(data)
    root = check_svg(data)
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    try:
        box = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if v]
    except ValueError:
        box = []  # a viewBox that is not four numbers: browsers ignore it too
    ratio = box[2] / box[3] if len(box) == 4 and box[2] > 0 and box[3] > 0 else None
    if width and not height and ratio:
        height = width / ratio
    elif height and not width and ratio:
        width = height * ratio
    elif not (width and height) and ratio:
        width, height = box[2], box[3]
    if not (width and height):
        return SVG_DEFAULT_SIZE
    return max(1, round(width)), max(1, round(height))


def image_problem(name: str, data: bytes) -> str | None:
    """Why the image file ``name`` with content ``data`` cannot be placed (None if it can)."""
    try:
        if name.lower().endswith(".svg"):
            check_svg(data)
        else:
            check_raster(data)
    except ImageProblem as exc:
        return str(exc)
    return None
