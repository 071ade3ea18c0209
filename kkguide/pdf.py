"""Stage 7: HTML -> PDF bytes with WeasyPrint, in-process, sandboxed and checked.

- The URL fetcher reads only files below the project's ``styles/`` and ``guide/`` folders
  (symlinks resolved first) and nothing else: no other file, no network, no data: URLs.
- Missing glyphs are errors: WeasyPrint only logs ``.notdef glyph rendered``; we collect those
  records and fail the job, naming the characters.
"""

from __future__ import annotations

import logging
import re
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


def render_pdf(html: str, files: ProjectFiles, label: str, variant: str | None = None, german=None) -> RenderedPdf:
    """Typeset ``html`` (whose relative URLs start at the project root) into PDF bytes
    (``german``: a langparts.Parts, for the language of German runs in a tagged PDF)."""
    refused: list[str] = []
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(string=html, base_url=files.real.as_uri() + "/",
                                   url_fetcher=SandboxFetcher(files, refused)).render()
        if variant == "pdf/ua-1":
            from .tagging import write_ua

            match = _HTML_LANG.search(html)
            data = write_ua(document, match.group(1) if match else "", german)
        else:
            data = document.write_pdf(pdf_variant=variant) if variant else document.write_pdf()
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
    attached = embedded_files(data)
    if attached:
        raise KkguideError(f"the PDF would carry an embedded file ({attached[0]}): kkguide outputs never do", label)
    return RenderedPdf(data=data, pages=len(document.pages), warnings=tuple(collector.messages))


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
