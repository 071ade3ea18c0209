"""Stage 6: a translated guide -> one HTML document (Jinja2, autoescape, StrictUndefined).

Right-to-left languages use the same template: ``<html dir>`` and direction-aware CSS do the
mirroring. Every text that falls back to German carries ``lang="de" dir="ltr"`` and a mark.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2
from babel.dates import format_date
from babel.messages.extract import extract
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .catalogs import UiMessage
from .config import Edition, Facts, GuideConfig
from .files import ProjectFiles
from .geomap import load_map
from .markdown import LINK_TITLES
from .segments import LINK_ROLE, UI_ROLE, slots
from .sources import Chapter
from .translate import Rendition, Translation

TEMPLATE = "guide.html.j2"
# The web edition's pages forbid every script, plugin, frame, form and foreign resource.
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
STYLES = "styles"
FALLBACK_CLASS = "fallback"


@dataclass(frozen=True)
class RenderedChapter:
    id: str
    title: Markup
    title_text: str
    summary: Markup
    body: Markup
    original_title: str = ""   # bilingual edition: the German title beside the translation
    number: int = 0            # 1, 2, ... in reading order


def ui_messages(files: ProjectFiles) -> tuple[UiMessage, ...]:
    """Strings marked with _() in the templates, for the POT."""
    found = []
    for shown in files.listing(STYLES, "*.j2", kind="template"):
        source = io.BytesIO(files.read_text(shown, "template").encode("utf-8"))
        for lineno, message, _comments, _context in extract(
                "jinja2.ext:babel_extract", source, keywords={"_": None, "gettext": None},
                options={"extensions": "jinja2.ext.i18n", "trimmed": "true"}):
            if isinstance(message, str):
                found.append(UiMessage(message, shown, lineno))
    found += [UiMessage(msgid, LINK_TITLES_AT, 0, kind=LINK_ROLE) for msgid in LINK_TITLES.values()]
    return tuple(found)


# where the POT says the link descriptions come from (kkguide's code, not a template of styles/)
LINK_TITLES_AT = "kkguide/markdown.py"


def link_titles(translation: Translation) -> dict[str, str]:
    """markdown.LINK_TITLES in the translation's language, German where a catalog lacks one."""
    titles = {}
    for kind, msgid in LINK_TITLES.items():
        try:
            titles[kind] = translation.get(msgid, LINK_ROLE).text
        except KeyError:
            titles[kind] = msgid
    return titles


class TemplateLoader(jinja2.BaseLoader):
    """Jinja templates from styles/, read through the one door (Jinja's own FileSystemLoader
    follows symlinks wherever they lead)."""

    def __init__(self, files: ProjectFiles):
        self.files = files

    def get_source(self, environment, template: str):
        rel = f"{STYLES}/{template}"
        if not self.files.is_file(rel, "template"):
            raise jinja2.TemplateNotFound(template)
        text = self.files.read_text(rel, "template")
        return text, rel, lambda: self.files.is_file(rel, "template") and self.files.read_text(rel, "template") == text


def render_template(files: ProjectFiles, name: str, **values) -> str:
    """A template of styles/ that needs no translation (web index, package cover, languages
    sheet), rendered with autoescape: every value from guide.yml or elsewhere is escaped."""
    env = jinja2.Environment(loader=TemplateLoader(files), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template(name).render(**values)


def _fallback_attrs(rendition: Rendition, doc_lang: str) -> dict[str, str]:
    if rendition.lang == doc_lang:
        return {}
    return {"lang": rendition.lang, "dir": "ltr", "class": FALLBACK_CLASS}


def _parts_env(env: dict, rendition: Rendition, doc_lang: str) -> dict:
    """The render environment of one message: German runs are looked for in translated text."""
    parts = env.get("parts")
    return {**env, "lang_parts": parts if parts is not None and rendition.lang == doc_lang else None}


def inline_html(md: MarkdownIt, rendition: Rendition, doc_lang: str, env: dict) -> Markup:
    html = Markup(md.renderInline(rendition.text, _parts_env(env, rendition, doc_lang)))  # escapes text and attributes
    attrs = _fallback_attrs(rendition, doc_lang)
    if attrs:
        html = Markup('<span lang="{}" dir="{}" class="{}">{}</span>').format(
            attrs["lang"], attrs["dir"], attrs["class"], html)
    return html


def body_html(md: MarkdownIt, body: str, translation: Translation, env: dict) -> Markup:
    """Render a chapter body with every translatable block replaced by its rendition."""
    return Markup(md.renderer.render(translated_tokens(md, body, translation, env), md.options, env))


def _top_level_blocks(tokens: list) -> list[list]:
    """The token stream cut into its top-level blocks (a paragraph, a whole list, a table ...)."""
    blocks, current, depth = [], [], 0
    for tok in tokens:
        current.append(tok)
        depth += tok.nesting
        if depth == 0:
            blocks.append(current)
            current = []
    return blocks


def bilingual_body_html(md: MarkdownIt, body: str, translation: Translation, env: dict) -> Markup:
    """German and the target language block by block: the German original first, marked German."""
    lang = translation.language
    de_env = {**env, "locale": translation.source_language}   # facts in the original in German style
    original = _top_level_blocks(md.parse(body, de_env))
    translated = _top_level_blocks(translated_tokens(md, body, translation, env))
    pairs = []
    for de_block, tr_block in zip(original, translated):
        de_html = md.renderer.render(de_block, md.options, de_env)
        tr_html = md.renderer.render(tr_block, md.options, env)
        pairs.append(Markup('<div class="pair"><div class="original" lang="{}" dir="ltr">{}</div>'
                            '<div class="translation" lang="{}" dir="{}">{}</div></div>').format(
            translation.source_language, Markup(de_html), lang.code, lang.direction, Markup(tr_html)))
    return Markup("").join(pairs)


def translated_tokens(md: MarkdownIt, body: str, translation: Translation, env: dict) -> list:
    """The parsed chapter body with every translatable block replaced by its rendition."""
    doc_lang = translation.language.code
    tokens = md.parse(body, env)
    for slot in list(slots(tokens)):
        rendition = translation.get(slot.msgid, slot.kind)
        inline = tokens[slot.index]
        parsed = md.parseInline(rendition.text, _parts_env(env, rendition, doc_lang))[0].children or []
        if slot.image is not None:
            image = inline.children[slot.image]
            image.children = parsed
            image.content = rendition.text
            if rendition.lang != doc_lang:   # alt text in German: the figure says so (PDF /Lang)
                image.attrSet("lang", rendition.lang)
        else:
            inline.children = parsed
            inline.content = rendition.text
        for key, value in _fallback_attrs(rendition, doc_lang).items():
            tokens[slot.block].attrSet(key, value)
    return tokens


def make_environment(files: ProjectFiles, translation: Translation) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=TemplateLoader(files),
        autoescape=True, undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    doc_lang = translation.language.code

    def ui_text(msgid: str) -> Markup:
        try:
            rendition = translation.get(msgid, UI_ROLE)
        except KeyError:
            rendition = Rendition(msgid, translation.source_language, "untranslated", "")
        attrs = _fallback_attrs(rendition, doc_lang)
        if not attrs:
            return Markup(escape(rendition.text))
        return Markup('<span lang="{}" dir="ltr" class="{}">{}</span>').format(
            attrs["lang"], attrs["class"], rendition.text)

    env.install_gettext_callables(ui_text, lambda s, p, n: ui_text(s if n == 1 else p), newstyle=True)
    # gettext() is for attributes (alt, title): plain text, escaped by the template as usual;
    # text_lang() says the language of that text where it is not the document's (German fallback)
    def attr_rendition(msgid: str):
        try:
            return translation.get(msgid, UI_ROLE)
        except KeyError:
            return None

    def attr_text(msgid: str) -> str:
        rendition = attr_rendition(msgid)
        return rendition.text if rendition is not None else msgid

    def text_lang(msgid: str) -> str:
        rendition = attr_rendition(msgid)
        return "" if rendition is not None and rendition.lang == doc_lang else translation.source_language

    env.globals["gettext"] = attr_text
    env.globals["text_lang"] = text_lang
    return env


def german_parts(config: GuideConfig, facts: Facts, chapters: Sequence[Chapter], language,
                 glossary, md: MarkdownIt | None = None):
    """How to find German runs in ``language``'s messages (None for German editions);
    ``glossary``: the project's glossary.Glossary (its German terms)."""
    from .langparts import GERMAN, Parts, german_source, is_latin_script
    from .markdown import make_markdown

    if language.code.split("-")[0] == GERMAN:
        return None
    md = md or make_markdown()
    texts = [config.title, config.subtitle]
    for ch in chapters:
        texts += [s.msgid for s in _chapter_messages(md, ch)]
    names = [f.value for f in facts.entries.values() if f.field == "name"] + config.publisher.split(",")
    terms = [term.german for term in glossary.terms]
    return Parts(german_source(md, texts, names, terms), is_latin_script(language.name))


def _chapter_messages(md: MarkdownIt, chapter: Chapter):
    from .segments import extract

    return extract(md, chapter)


def render_html(config: GuideConfig, facts: Facts, chapters: Sequence[Chapter], translation: Translation,
                edition: Edition, md: MarkdownIt, notes_pages: int = 0, handout=None,
                template_name: str = TEMPLATE, image_base: str = "guide/", language_states=(), german=None,
                image_sizes=None, focusable_tables: bool = False, kreis_map=None, template_facts=None,
                **values) -> str:
    """``kreis_map``, ``template_facts``: the project's map and the facts its templates print,
    as ``load_project`` read them (read here from the files when not given). ``german``: a langparts.Parts to mark German runs as <span lang="de"> (the web edition;
    the PDF editions mark them in the PDF, as WeasyPrint misorders such spans in right-to-left
    lines). ``image_sizes``: chapter image (``images/x.svg``) -> (width, height) in CSS px, given
    to each ``<img>`` (the web edition). ``values``: more for the template (the web edition's)."""
    lang = translation.language
    env = {"facts": facts, "image_base": image_base, "locale": lang.cldr, "parts": german,
           "link_titles": link_titles(translation), "image_sizes": image_sizes or {},
           "focusable_tables": focusable_tables}
    rendered = []
    for number, ch in enumerate(chapters, 1):
        title = translation.get(ch.title, "chapter title")
        rendered.append(RenderedChapter(
            id=ch.id, title=inline_html(md, title, lang.code, env), title_text=title.text,
            summary=inline_html(md, translation.get(ch.summary, "chapter summary"), lang.code, env),
            body=(bilingual_body_html if edition.is_bilingual else body_html)(md, ch.body, translation, env),
            original_title=ch.title if edition.is_bilingual else "", number=number))
    stand = format_date(config.stand, format="long", locale=lang.cldr)
    # the imprint gives a verification date only when every fact this document prints is verified
    from .facts import printed_refs, template_uses

    printed = printed_refs(chapters, template_uses(config.files) if template_facts is None else template_facts)
    checked = facts.oldest_verification(printed)
    template = make_environment(config.files, translation).get_template(template_name)
    return template.render(
        lang=lang, edition=edition, chapters=rendered, languages=config.languages, notes_pages=notes_pages,
        language_states=language_states,
        handout=handout,
        title=inline_html(md, translation.get(config.title, "guide title (cover)"), lang.code, env),
        title_text=translation.get(config.title, "guide title (cover)").text,
        subtitle=inline_html(md, translation.get(config.subtitle, "guide subtitle (cover)"), lang.code, env),
        subtitle_text=translation.get(config.subtitle, "guide subtitle (cover)").text,
        publisher=config.publisher, publisher_address=config.publisher_address,
        stand=stand, created=_pdf_date(config.stand),
        draft=translation.draft if lang.code != config.source_language.code else not config.reviewed,
        is_source=lang.code == config.source_language.code,
        fallbacks=translation.coverage.fallbacks,
        # the imprint names who signed the translation off, once every printed message is reviewed
        reviewed_by=", ".join(translation.reviewers) if not translation.draft else "",
        reviewed_on=format_date(translation.reviewed_on, format="long", locale=lang.cldr)
        if translation.reviewed_on and not translation.draft else "",
        fact=lambda ref: Markup(md.renderInline("{{%s}}" % ref, env)),
        facts_checked=format_date(checked, format="long", locale=lang.cldr) if checked else "",
        facts_unconfirmed=bool(facts.flagged(printed)),
        csp=CSP,
        kreis_map=load_map(config.files) if kreis_map is None else kreis_map,
        web_page=config.web_page(lang.code),
        web_qr=_qr(config.web_page(lang.code)),
        **theme_values(config),
        **values,
    )


def theme_values(config: GuideConfig) -> dict:
    """What the templates need of the guide.yml theme (kkguide.theme): its CSS (a ``<style>``
    block in the PDF templates, styles/theme.css in the web edition), extra style sheet, logo.
    The CSS is built from checked values only (colours, family names), hence ``Markup``."""
    from .theme import project_css

    return {"theme_css": Markup(project_css(config.theme, config.files)),
            "theme_stylesheet": config.theme.stylesheet, "theme_logo": config.theme.logo}


def render_notes_html(config: GuideConfig, translation: Translation, edition: Edition, count: int,
                      first_page: int) -> str:
    """``count`` notes pages alone, numbered from ``first_page`` (styles/notes.html.j2)."""
    template = make_environment(config.files, translation).get_template("notes.html.j2")
    return template.render(lang=translation.language, edition=edition, notes_pages=count, first_page=first_page,
                           **theme_values(config))


def _qr(url: str) -> Markup:
    """A vector QR code (segno's SVG: modules only, no text) for ``url``; empty without one."""
    if not url:
        return Markup("")
    import segno

    # its <title> (the address it encodes) becomes the figure's alternative text in the tagged PDF
    return Markup(segno.make(url, error="m").svg_inline(scale=1, dark="#000", border=0, omitsize=True, title=url))


def _pdf_date(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
