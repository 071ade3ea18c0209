"""Language overview sheet: one A4 page listing every language of the guide in its own script,
each with a vector QR code (segno) that leads to that language's PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import segno
from markupsafe import Markup, escape

from .build import Job, check_fonts
from .errors import KkguideError
from .fsio import atomic_write
from .project import load_catalogs, load_project, translation_for

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
    return [SheetEntry(lang.code, lang.name, lang.direction, pdf_url(base_url, Job(lang, screen)))
            for lang in config.languages]


def sheet_html(config, items: list[SheetEntry], title: str) -> str:
    rows = []
    for item in items:
        qr = segno.make(item.url, error="m").svg_inline(scale=3, dark="#000", omitsize=False)
        rows.append(f'<div class="entry"><div class="qr">{qr}</div>'
                    f'<p class="name" lang="{item.code}" dir="{item.direction}">{escape(item.name)}</p>'
                    f'<p class="url" dir="ltr">{escape(item.url)}</p></div>')
    return str(Markup(f"""<!DOCTYPE html><html lang="{config.source_language.code}"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="dcterms.created" content="{config.stand.isoformat()}T00:00:00Z">
<meta name="dcterms.modified" content="{config.stand.isoformat()}T00:00:00Z">
<link rel="stylesheet" href="styles/guide.css">
<style>
@page {{ size: A4; margin: 12mm; @top-center {{ content: none; border: none }} @bottom-center {{ content: none }} }}
h1 {{ font-size: 16pt; color: #1b3a4b; margin: 0 0 4mm; bookmark-level: none; }}
.grid {{ display: flex; flex-wrap: wrap; }}
.entry {{ width: 44mm; height: 62mm; text-align: center; }}
.qr svg {{ width: 30mm; height: 30mm; }}
.name {{ font-size: 12pt; font-weight: bold; margin: 1mm 0 0; }}
.url {{ font-size: 5pt; color: #4a5a66; word-break: break-all; }}
</style></head><body><h1>{escape(title)}</h1><div class="grid">""") + Markup("".join(rows)) + Markup("</div></body></html>"))


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
