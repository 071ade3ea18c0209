"""Language overview sheet: one A4 page listing every language of the guide in its own script,
each with a vector QR code (segno) that leads to that language's PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import segno
from markupsafe import Markup

from .build import Job, check_fonts
from .errors import KkguideError
from .fsio import atomic_write
from .project import load_catalogs, load_project, translation_for
from .render import render_template

SHEET = "languages-sheet.pdf"


@dataclass(frozen=True)
class SheetEntry:
    code: str
    name: str
    direction: str
    url: str


def pdf_url(base_url: str, job: Job) -> str:
    return base_url.rstrip("/") + "/" + job.filename


def entries(config, base_url: str) -> list[SheetEntry]:
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc:
        raise KkguideError(f"--base-url must be an https:// address where dist/ is published, not '{base_url}'")
    screen = config.edition("screen")
    return [SheetEntry(lang.code, lang.name, lang.direction, pdf_url(base_url, Job(lang, screen, config.file_name)))
            for lang in config.languages]


SHEET_TEMPLATE = "sheet.html.j2"


def sheet_html(config, items: list[SheetEntry], title: str) -> str:
    rows = [{"code": item.code, "name": item.name, "direction": item.direction, "url": item.url,
             # segno writes the SVG (no user text inside but the encoded modules and its title,
             # which segno escapes): the title is the figure's Alt in the tagged PDF
             "qr": Markup(segno.make(item.url, error="m").svg_inline(scale=3, dark="#000", omitsize=False,
                                                                     title=f"QR-Code: {item.url}"))}
            for item in items]
    return render_template(config.files, SHEET_TEMPLATE, source=config.source_language, title=title,
                           created=f"{config.stand.isoformat()}T00:00:00Z", items=rows)


def make_sheet(root: Path, out: Path, base_url: str) -> tuple[Path, int]:
    from .pdf import render_pdf

    project = load_project(root)
    config = project.config
    items = entries(config, base_url)
    source = config.source_language
    translation = translation_for(project, source, load_catalogs(project, [source.code])[source.code])
    check_fonts(project, [translation])  # every language name in its own script
    title = f"{config.title} – {config.subtitle}"
    pdf = render_pdf(sheet_html(config, items, title), config.files, SHEET, "pdf/ua-1")
    target = out / SHEET
    atomic_write(target, pdf.data)
    return target, len(items)
