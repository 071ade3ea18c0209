"""Web edition: the guide as static, responsive, accessible HTML per language, with a language
switcher in each language's own script, for the office's integration portal.

    dist/web/index.html            every language, each in its own script
    dist/web/<lang>/index.html     one page per language
    dist/web/styles/web.css, dist/web/guide/images/...

The site is published as one set, like a build (``publish``): a web server never serves a page
of one run beside a stylesheet of another.

Every page is rendered through an autoescaped template and carries a Content-Security-Policy
that forbids scripts. Only the images the chapters place are published, each checked and SVGs
serialised again from the checked tree (``images.safe_svg``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from .build import check_fonts
from .fsio import output_lock
from .images import safe_svg
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


def _index(config, languages) -> str:
    return render_template(config.files, INDEX_TEMPLATE, source=config.source_language, title=config.title,
                           subtitle=config.subtitle, languages=languages, csp=CSP) + "\n"


def make_web(root: Path, out: Path, languages: Sequence[str] = ()) -> WebSite:
    """The web edition of every language (or of ``languages`` only, as `kkguide serve --lang`)."""
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
    files: dict[str, bytes] = {f"{t.language.code}/index.html": render_html(
        published, project.facts, project.chapters, t, config.edition("screen"), make_markdown(),
        template_name=WEB_TEMPLATE, image_base="../guide/",
        german=german_parts(published, project.facts, project.chapters, t.language, project.glossary)).encode("utf-8")
        for t in translations}
    files["index.html"] = _index(config, built).encode("utf-8")
    for sheet in ("styles/web.css", "styles/tokens.css"):  # web.css imports the design tokens
        files[sheet] = config.files.read_bytes(sheet, "style")
    theme = config.theme   # guide.yml theme: its tokens as a file (the pages forbid inline styles)
    theme_css = project_css(theme, config.files)
    if theme_css:
        files[THEME_FILE] = (theme_css + "\n").encode("utf-8")
    if theme.stylesheet:
        files[theme.stylesheet] = config.files.read_bytes(theme.stylesheet, "style")
    for rel in (*project.images, *([theme.logo] if theme.logo else [])):  # what the pages place, nothing else
        data = config.files.read_bytes(rel, "image")
        files[rel] = safe_svg(data) if rel.lower().endswith(".svg") else data
    with output_lock(out):  # everything rendered and read; now publish it as one set
        publish(out, files)
    return WebSite(out, tuple(lang.code for lang in built), tuple(skipped))
