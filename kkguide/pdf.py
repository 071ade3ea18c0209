"""Stage 7: HTML -> PDF bytes with WeasyPrint, in-process, sandboxed and checked.

Two halves: ``lay_out`` (HTML -> ``Layout``, the expensive part) and ``write`` (``Layout`` ->
PDF bytes, any number of times, same bytes). Several editions are written from one layout:
``combine`` inserts pages laid out apart (a booklet's notes pages), ``with_bleed`` gives the
print edition its bleed and output profile at write time. Post-processing of a written PDF
(bytes -> bytes) happens per edition in ``kkguide.build`` (``finish``).

- The URL fetcher reads only files below the project's ``styles/`` and ``guide/`` folders
  (symlinks resolved first) and nothing else: no other file, no network, no data: URLs.
- Missing glyphs are errors: WeasyPrint only logs ``.notdef glyph rendered``; we collect those
  records and fail the job, naming the characters.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import KkguideError
from .files import ProjectFiles
from .images import image_problem

ALLOWED_DIRS = ("styles", "guide")
_NOTDEF = re.compile(r"\.notdef glyph rendered for Unicode string unsupported by fonts: \"?(?P<text>.*?)\"?$")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]


class SandboxFetcher(URLFetcher):
    """Serves ``file:`` URLs of files in the project's styles/ and guide/, read through the one
    door; refuses everything else (other files, symlinks out, network, data: URLs)."""

    def __init__(self, files: ProjectFiles, refused: list[str]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self._files = files
        self._refused = refused

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return self._refuse(url)
        path = Path(unquote(parts.path))
        try:
            rel = path.relative_to(self._files.real).as_posix()
            kind = _KIND.get(path.suffix.lower(), "file")
            data = self._files.read_bytes(rel, kind, dirs=ALLOWED_DIRS)
        except (ValueError, KkguideError):
            return self._refuse(url)
        problem = image_problem(rel, data) if kind == "image" else None
        if problem:  # templates place images too (the cover): the same check as for chapters
            return self._refuse(f"{rel} ({problem})")
        return URLFetcherResponse(url, data, headers={"Content-Type": _mime(path)})

    def _refuse(self, url: str):
        self._refused.append(url)
        raise ValueError(f"kkguide refuses to fetch {url}")


_KIND = {".css": "style", ".svg": "image", ".png": "image", ".jpg": "image", ".jpeg": "image",
         ".ttf": "font", ".otf": "font", ".woff2": "font", ".icc": "profile"}


def _mime(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg", ".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2"}.get(
        path.suffix.lower(), "application/octet-stream")


_HTML_LANG = re.compile(r'<html lang="([^"]+)"')


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _checked(label: str, refused: list[str], warnings: list[str]):
    """Collect WeasyPrint's log records while it lays out or writes, then fail on the ones that
    mean a wrong PDF (missing glyphs, missing alt text, refused or broken files)."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield
    finally:
        logger.removeHandler(collector)
    missing = sorted({ch for msg in collector.messages if (m := _NOTDEF.search(msg))
                      for ch in m.group("text") if not ch.isspace()})
    if missing:
        codes = ", ".join(f"U+{ord(c):04X} '{c}'" for c in missing[:12])
        raise KkguideError(f"no font has glyphs for {codes}: add a font for this script to styles/guide.css", label)
    no_alt = [m for m in collector.messages if "has no required alt description" in m]
    if no_alt:
        raise KkguideError(f"accessibility: {no_alt[0]}", label)
    if refused:  # checked sources never ask for these: something got past validation
        shown = ", ".join(sorted(set(refused))[:3])
        raise KkguideError(f"refused to fetch {shown}: only files in the project's styles/ and guide/ "
                           "are read", label)
    broken = [m for m in collector.messages if m.startswith("Failed to load")]
    if broken:  # an allowed file that exists but cannot be decoded
        raise KkguideError(broken[0], label)
    warnings.extend(collector.messages)


@dataclass(frozen=True)
class Layout:
    """One laid-out document (a WeasyPrint ``Document``): the expensive half of a render. Several
    editions are written from one layout (``write``), whole or with pages added (``combine``)."""

    document: weasyprint.Document
    lang: str                   # the document's language (<html lang>)
    label: str                  # the file name errors are reported against
    warnings: tuple[str, ...]

    @property
    def pages(self) -> int:
        return len(self.document.pages)


def lay_out(html: str, files: ProjectFiles, label: str) -> Layout:
    """Lay ``html`` (whose relative URLs start at the project root) out into pages."""
    refused: list[str] = []
    warnings: list[str] = []
    with _checked(label, refused, warnings):
        document = weasyprint.HTML(string=html, base_url=files.real.as_uri() + "/",
                                   url_fetcher=SandboxFetcher(files, refused)).render()
    match = _HTML_LANG.search(html)
    return Layout(document, match.group(1) if match else "", label, tuple(warnings))


def combine(layout: Layout, before_last: Layout) -> Layout:
    """``layout`` with the pages of ``before_last`` inserted before its last page (the back cover)."""
    pages = layout.document.pages
    document = layout.document.copy([*pages[:-1], *before_last.document.pages, pages[-1]])
    return Layout(document, layout.lang, layout.label, layout.warnings + before_last.warnings)


def write(layout: Layout, variant: str | None = None, label: str | None = None, german=None) -> RenderedPdf:
    """PDF bytes of ``layout``; a layout can be written any number of times (same bytes).
    ``pdf/ua-1``: tagged by ``kkguide.tagging.write_ua`` (``german``: a langparts.Parts, for the
    language of German runs). Warnings: the layout's and the write's."""
    refused: list[str] = []
    warnings: list[str] = []
    with _checked(label or layout.label, refused, warnings):
        if variant == "pdf/ua-1":
            from .tagging import write_ua

            data = write_ua(layout.document, layout.lang, german)
        else:
            data = layout.document.write_pdf(pdf_variant=variant) if variant else layout.document.write_pdf()
    attached = embedded_files(data)
    if attached:
        raise KkguideError(f"the PDF would carry an embedded file ({attached[0]}): kkguide outputs never do",
                           label or layout.label)
    return RenderedPdf(data=data, pages=layout.pages, warnings=layout.warnings + tuple(warnings))


def with_bleed(layout: Layout, bleed_mm: float, profile: bytes, profile_name: str) -> Layout:
    """The print edition's pages from ``layout``: the same laid-out pages, each with ``bleed_mm`` of
    bleed (MediaBox, TrimBox and BleedBox as WeasyPrint writes them for CSS ``bleed``), page
    backgrounds (the cover's tint) running into the bleed, and the output profile as the
    document's device-cmyk profile (its OutputIntent; the profile's bytes are filled in by
    ``kkguide.press.to_press``, which every print edition goes through). Bleed does not change the layout: CSS
    ``bleed`` only widens the page's painting area, so the pages need not be laid out again.

    WeasyPrint computes a page background's painting area at layout time; the print copy of each
    page gets a shallow copy of its page box with that area widened (the screen pages are not
    touched, so both editions are written from one layout)."""
    import copy
    import io

    from weasyprint.css import ColorProfile

    px = bleed_mm * 96 / 25.4
    pages = []
    for page in layout.document.pages:
        printed = copy.copy(page)
        printed.bleed = {side: px for side in ("top", "right", "bottom", "left")}
        box = page._page_box.copy()
        if box.background is not None:
            area = (-px, -px, page.width + 2 * px, page.height + 2 * px)
            box.background = box.background._replace(
                layers=[layer._replace(painting_area=area) for layer in box.background.layers])
        printed._page_box = box
        pages.append(printed)
    class OutputProfile(ColorProfile):
        """The output profile, embedded by kkguide.press as the file's own bytes (``content`` here
        would be Pillow's re-serialisation: twice the size, and compressing it cost a third of
        the print edition's write)."""

        @property
        def content(self):
            return b""

    cmyk = OutputProfile(io.BytesIO(profile), profile_name, "relative-colorimetric",
                         (["c"], ["m"], ["y"], ["k"]))
    source = layout.document
    document = type(source)(pages, source.metadata, source.url_fetcher, source.font_config,
                            {"device-cmyk": cmyk}, "device-cmyk")
    return Layout(document, layout.lang, layout.label, layout.warnings)


def render_pdf(html: str, files: ProjectFiles, label: str, variant: str | None = None) -> RenderedPdf:
    """Lay out and write ``html`` in one go (one-off documents: handouts, sheets, covers)."""
    return write(lay_out(html, files, label), variant)


def embedded_files(data: bytes) -> list[str]:
    """Names of files embedded in a PDF: the EmbeddedFiles name tree, file attachment
    annotations, associated files (/AF). kkguide's outputs must have none."""
    import io

    import pikepdf

    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        names = pdf.Root.get("/Names")
        if names is not None and "/EmbeddedFiles" in names:
            found.append("EmbeddedFiles name tree")
        if "/AF" in pdf.Root:
            found.append("associated file (/AF) of the document")
        for number, page in enumerate(pdf.pages, 1):
            for annot in page.obj.get("/Annots") or []:
                if annot.get("/Subtype") == "/FileAttachment":
                    found.append(f"file attachment annotation on page {number}")
    return found
