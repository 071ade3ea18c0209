"""Web edition: the guide as static, responsive, accessible HTML per language, with a language
switcher in each language's own script, for the office's integration portal.

    dist/web/index.html            every language, each in its own script
    dist/web/<lang>/index.html     one page per language
    dist/web/styles/web.css, dist/web/guide/images/...
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import escape

from .build import check_fonts
from .fsio import atomic_write
from .markdown import make_markdown
from .project import load_catalogs, load_project, translation_for
from .render import render_html

WEB_TEMPLATE = "web.html.j2"


@dataclass(frozen=True)
class WebSite:
    folder: Path
    languages: tuple[str, ...]
    skipped: tuple[str, ...]


def _index(config, languages) -> str:
    items = "".join(f'<li><a href="{lang.code}/index.html" hreflang="{lang.code}" lang="{lang.code}" '
                    f'dir="{lang.direction}">{escape(lang.name)}</a></li>' for lang in languages)
    return (f'<!DOCTYPE html><html lang="{config.source_language.code}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(config.title)}</title><link rel="stylesheet" href="styles/web.css"></head><body>'
            f'<header class="site-header"><h1>{escape(config.title)}</h1>'
            f'<p class="subtitle">{escape(config.subtitle)}</p></header>'
            f'<nav class="language-switcher" aria-label="Sprachen"><ul>{items}</ul></nav></body></html>\n')


def make_web(root: Path, out: Path) -> WebSite:
    project = load_project(root)
    config = project.config
    catalogs = load_catalogs(project, [lang.code for lang in config.languages])
    translations, skipped = [], []
    for lang in config.languages:
        translation = translation_for(project, lang, catalogs[lang.code])
        if translation.coverage.percent < config.required_coverage(lang.code):
            skipped.append(lang.code)
        else:
            translations.append(translation)
    check_fonts(project, translations)
    built = tuple(t.language for t in translations)
    published = replace(config, languages=built)  # the switcher lists what exists
    pages = {f"{t.language.code}/index.html": render_html(
        published, project.facts, project.chapters, t, config.edition("screen"), make_markdown(),
        template_name=WEB_TEMPLATE, image_base="../guide/") for t in translations}
    pages["index.html"] = _index(config, built)
    for name, html in pages.items():  # everything rendered; now write
        atomic_write(out / name, html.encode("utf-8"))
    atomic_write(out / "styles/web.css", (root / "styles/web.css").read_bytes())
    for image in sorted((root / "guide/images").glob("*")):
        if image.is_file():
            atomic_write(out / "guide/images" / image.name, image.read_bytes())
    return WebSite(out, tuple(lang.code for lang in built), tuple(skipped))
