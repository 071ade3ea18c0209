"""Web edition: the guide as static, responsive, accessible HTML per language, with a language
switcher in each language's own script, for the office's integration portal.

    dist/web/index.html            every language, each in its own script
    dist/web/<lang>/index.html     one page per language
    dist/web/<lang>/<name>-<lang>-screen.pdf, ...-print.pdf   the PDFs of the current build
    dist/web/styles/web.css, dist/web/guide/images/...

The PDFs: a language's page links to its screen and print editions as the build published them
in the PDF folder (``pdfs``, default PROJECT/dist: its current generation's manifest.json), and
the site publishes them beside the page, each checked against the manifest's size and sha256. So
a page links only to a PDF the site holds; a language without a built PDF says nothing of PDFs.

The site is published as one set, like a build (``publish``): a web server never serves a page
of one run beside a stylesheet of another.

Every page is rendered through an autoescaped template and carries a Content-Security-Policy
that forbids scripts. Only the images the chapters place are published, each checked and SVGs
serialised again from the checked tree (``images.safe_svg``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Sequence

from babel.numbers import format_decimal

from .build import check_fonts
from .errors import KkguideError
from .files import read_input
from .fsio import output_lock
from .images import image_size, safe_svg
from .markdown import make_markdown
from .project import load_catalogs, load_project, translation_for
from .publish import publish
from .render import CSP, german_parts, render_html, render_template
from .theme import WEB_FILE as THEME_FILE, project_css

WEB_TEMPLATE = "web.html.j2"
INDEX_TEMPLATE = "web-index.html.j2"


@dataclass(frozen=True)
class WebSite:
    folder: Path
    languages: tuple[str, ...]
    skipped: tuple[str, ...]
    pdfs: int = 0    # PDFs of the build included and linked


WEB_EDITIONS = ("screen", "print")   # the PDFs a language's page offers, in this order


@dataclass(frozen=True)
class WebPdf:
    href: str        # relative to the language's page: the PDF beside it
    edition: str
    size: str        # megabytes in the page language's digits ("1,2")


def _index(config, languages) -> str:
    return render_template(config.files, INDEX_TEMPLATE, source=config.source_language, title=config.title,
                           subtitle=config.subtitle, languages=languages, csp=CSP,
                           web_url=config.web_url) + "\n"


@dataclass(frozen=True)
class PublishedPdf:
    path: str        # <lang>/<file>.pdf, as in manifest.json: in the site as in the PDF folder
    language: str
    edition: str
    data: bytes


def published_pdfs(pdfs: Path, codes: Sequence[str]) -> list[PublishedPdf]:
    """The screen and print PDFs of ``codes`` that the build in ``pdfs`` published, read from its
    current generation and checked against the manifest (a PDF that differs from its entry is
    an error, not a link)."""
    from .publish import MANIFEST, current

    base = current(pdfs)
    if base is None or not (base / MANIFEST).is_file():
        return []
    where = pdfs / MANIFEST
    try:
        artifacts = json.loads(read_input(base / MANIFEST, "config")).get("artifacts", [])
    except (ValueError, AttributeError) as exc:
        raise KkguideError(f"manifest.json of the build is not readable ({exc})", where) from None
    found = []
    for entry in artifacts if isinstance(artifacts, list) else []:
        if not isinstance(entry, dict) or entry.get("language") not in codes or entry.get("edition") not in WEB_EDITIONS:
            continue
        rel = entry.get("path")
        parts = PurePosixPath(rel).parts if isinstance(rel, str) else ()
        if len(parts) != 2 or parts[0] != entry["language"] or not parts[1].endswith(".pdf") or ".." in parts:
            raise KkguideError(f"manifest.json lists a PDF at {rel!r}, not <lang>/<name>.pdf", where)
        data = read_input(base / rel, "pdf")
        if len(data) != entry.get("bytes") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise KkguideError(f"{rel} differs from its manifest.json entry (size or sha256): rebuild", where)
        found.append(PublishedPdf(rel, entry["language"], entry["edition"], data))
    return found


def _page_pdfs(code: str, locale: str, pdfs: Sequence[PublishedPdf]) -> list[WebPdf]:
    """What the page of ``code`` links to: its PDFs, screen first; sizes in MB (10^6 bytes) with
    one decimal, at least 0.1, in the language's digits and decimal sign ("2,4", "٢٫٤")."""
    listed = [WebPdf(PurePosixPath(p.path).name, p.edition,
                     format_decimal(max(len(p.data) / 1_000_000, 0.1), "0.0", locale=locale))
              for p in pdfs if p.language == code]
    return sorted(listed, key=lambda p: WEB_EDITIONS.index(p.edition))


def make_web(root: Path, out: Path, languages: Sequence[str] = (), pdfs: Path | None = None) -> WebSite:
    """The web edition of every language (or of ``languages`` only, as `kkguide serve --lang`),
    with the PDFs the build in ``pdfs`` (default ROOT/dist) published for them."""
    project = load_project(root)
    config = project.config
    wanted = [config.language(code) for code in languages] or list(config.languages)
    catalogs = load_catalogs(project, [lang.code for lang in wanted])
    translations, skipped = [], []
    for lang in wanted:
        translation = translation_for(project, lang, catalogs[lang.code])
        if translation.coverage.percent < config.required_coverage(lang.code):
            skipped.append(lang.code)
        else:
            translations.append(translation)
    check_fonts(project, translations)
    built = tuple(t.language for t in translations)
    published = replace(config, languages=built)  # the switcher lists what exists
    images = {rel: config.files.read_bytes(rel, "image")
              for rel in (*project.images, *([config.theme.logo] if config.theme.logo else []))}
    sizes = {rel: image_size(rel, data) for rel, data in images.items()}
    chapter_sizes = {rel.removeprefix("guide/"): size for rel, size in sizes.items() if rel.startswith("guide/")}
    offered = published_pdfs(pdfs if pdfs is not None else root / "dist", [lang.code for lang in built])
    files: dict[str, bytes] = {f"{t.language.code}/index.html": render_html(
        published, project.facts, project.chapters, t, config.edition("screen"), make_markdown(),
        template_name=WEB_TEMPLATE, image_base="../guide/", image_sizes=chapter_sizes, focusable_tables=True,
        kreis_map=project.kreis_map, template_facts=project.template_facts,
        german=german_parts(published, project.facts, project.chapters, t.language, project.glossary),
        logo_size=sizes.get(config.theme.logo), web_url=config.web_url,
        pdfs=_page_pdfs(t.language.code, t.language.cldr, offered)).encode("utf-8")
        for t in translations}
    files.update({p.path: p.data for p in offered})
    files["index.html"] = _index(config, built).encode("utf-8")
    for sheet in ("styles/web.css", "styles/tokens.css"):  # web.css imports the design tokens
        files[sheet] = config.files.read_bytes(sheet, "style")
    theme = config.theme   # guide.yml theme: its tokens as a file (the pages forbid inline styles)
    theme_css = project_css(theme, config.files)
    if theme_css:
        files[THEME_FILE] = (theme_css + "\n").encode("utf-8")
    if theme.stylesheet:
        files[theme.stylesheet] = config.files.read_bytes(theme.stylesheet, "style")
    for rel, data in images.items():  # what the pages place, nothing else
        files[rel] = safe_svg(data) if rel.lower().endswith(".svg") else data
    with output_lock(out):  # everything rendered and read; now publish it as one set
        publish(out, files)
    return WebSite(out, tuple(lang.code for lang in built), tuple(skipped), len(offered))
