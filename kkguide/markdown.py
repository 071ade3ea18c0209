"""The one Markdown dialect of the guide: CommonMark + tables + fact references ``{{id.field}}``.

Raw HTML is never passed through (it is escaped), links are limited to http(s) and mailto,
and facts are rendered from guide/contacts.yml: numbers, amounts, phones and addresses as
left-to-right runs, dates and opening hours in the reader's language and direction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .config import Fact, Facts

FACT_REF = re.compile(r"\{\{\s*([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\s*\}\}")
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_SAFE_IMAGE = re.compile(r"^images/[A-Za-z0-9_.-]+$")


def _fact_ref_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{{", state.pos):
        return False
    match = FACT_REF.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("fact_ref", "", 0)
        token.content = match.group(1)
        token.markup = match.group(0)
    state.pos = match.end()
    return True


def _validate_link(url: str) -> bool:
    return bool(_SAFE_LINK.match(url) or _SAFE_IMAGE.match(url))


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["html_block", "html_inline", "code", "fence"])
    md.inline.ruler.before("emphasis", "fact_ref", _fact_ref_rule)
    md.validateLink = _validate_link
    md.add_render_rule("fact_ref", _render_fact_ref)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("text", _render_text)
    md.add_render_rule("td_open", _render_cell_open)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_cell_open)
    from .langparts import install

    return install(md)   # German runs inside translations as <span lang="de"> (env["lang_parts"])


SHORT_CELL = 20   # a table cell of one word up to this many characters ("2005–2006", "116117")
SHORT_PHRASE = 14  # a cell of a few words up to this many ("Klasse 1 bis 4", "من 1 إلى 4")


def _render_table_open(self, tokens, idx, options, env) -> str:
    """The web edition's tables scroll sideways where a phone is too narrow for their words; a
    region that scrolls must be reachable by keyboard (WCAG 2.1.1), so there it takes focus."""
    if env.get("focusable_tables"):
        tokens[idx].attrSet("tabindex", "0")
    return self.renderToken(tokens, idx, options, env)


def _render_cell_open(self, tokens, idx, options, env) -> str:
    """A cell of one short word or a short phrase gets the class ``nobreak`` (guide.css keeps it
    on one line: a year range would otherwise break at its dash, "من 1 إلى 4" after its third word,
    when columns are sized to content). Decided from the text the cell has when it is rendered,
    so a translated cell is judged by its translation."""
    following = tokens[idx + 1] if idx + 1 < len(tokens) else None
    text = following.content if following is not None and following.type == "inline" else ""
    one_word = not any(ch.isspace() for ch in text)
    if text and len(text) <= (SHORT_CELL if one_word else SHORT_PHRASE):
        classes = (tokens[idx].attrGet("class") or "").split()
        if "nobreak" not in classes:
            tokens[idx].attrJoin("class", "nobreak")
    return self.renderToken(tokens, idx, options, env)


# "§ 17 BMG", "§ 24 SGB VIII": a left-to-right run, or right-to-left pages show "BMG 17 §".
LAW_REF = re.compile(r"§§?\s*\d+[a-z]?(?:\s+Abs\.\s*\d+)?(?:\s+[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*(?:\s+[IVX]+\b)?)?")


def _render_text(self, tokens, idx, options, env) -> str:
    text = tokens[idx].content
    out, last = [], 0
    for match in LAW_REF.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f'<span class="law" dir="ltr">{escape(match.group(0))}</span>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


IMAGE_BASE = "guide/"  # chapter images are written as images/x.svg, relative to guide/


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if _SAFE_IMAGE.match(src):
        token.attrSet("src", env.get("image_base", IMAGE_BASE) + src)
    size = env.get("image_sizes", {}).get(src)  # the web edition's: width and height reserve the space
    if size is not None:
        token.attrSet("width", str(size[0]))
        token.attrSet("height", str(size[1]))
    return self.image(tokens, idx, options, env)


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    token.attrSet("dir", "ltr")
    return self.renderToken(tokens, idx, options, env)


def _render_fact_ref(self, tokens, idx, options, env) -> str:
    facts: Facts = env["facts"]
    fact = facts.get(tokens[idx].content)
    if fact is None:  # references are validated before rendering; this is a programming error
        raise KeyError(f"unknown fact reference {tokens[idx].markup}")
    return render_fact(fact, env.get("locale", "de"), env.get("link_titles"))


# The mark after a fact nobody has confirmed (unverified, or verified too long ago); the imprint
# explains it in the reader's language. An ASCII asterisk: every font stack of the guide has it.
FACT_MARK = "*"


def shown_value(fact: Fact, locale: str = "de") -> str:
    """The fact as printed in a text of ``locale``: amounts, numbers and dates in that language's
    style (Babel, CLDR), everything else as written in contacts.yml."""
    from babel.dates import format_date
    from babel.numbers import format_currency, format_decimal

    if fact.kind == "hours" and fact.hours:
        from .config import format_hours

        return format_hours(fact.hours, locale)
    if fact.kind == "date" and fact.day is not None:
        return format_date(fact.day, format="long", locale=locale)
    if fact.kind == "number" and fact.number is not None:
        return _plain(format_decimal(fact.number, locale=locale))
    if fact.kind == "amount" and fact.number is not None:
        if fact.number == fact.number.to_integral_value():
            from babel import Locale

            pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
            return _plain(format_currency(fact.number, fact.currency, format=pattern.replace(".00", ""),
                                          locale=locale, currency_digits=False))
        return _plain(format_currency(fact.number, fact.currency, locale=locale))
    return fact.value


def _plain(text: str) -> str:
    """Without the bidi marks CLDR puts around numbers: the fact is set as a left-to-right run."""
    return text.translate({0x200E: None, 0x200F: None, 0x061C: None})


# What a link to a fact does, said in the reader's language: the description a screen reader
# gives for the link (the PDF annotation's /Contents, the HTML title). Messages of the POT with
# the role "link description" (kkguide.render.ui_messages); %(value)s is the number or address
# as printed.
LINK_TITLES = {
    "phone": "Telefon %(value)s anrufen",
    "email": "E-Mail an %(value)s schreiben",
    "url": "Internetseite %(value)s öffnen",
}


def shown_text(fact: Fact, locale: str = "de") -> str:
    """The fact's text as printed: a web address without its scheme and trailing slash, every
    other fact as ``shown_value`` gives it."""
    if fact.kind == "url":
        return re.sub(r"^https?://", "", fact.value).rstrip("/")
    return shown_value(fact, locale)


def link_title(kind: str, shown: str, titles: Mapping[str, str] | None = None) -> str:
    """The description of a link to a fact of ``kind`` (``titles``: LINK_TITLES translated)."""
    template = (titles or LINK_TITLES).get(kind, LINK_TITLES[kind])
    try:
        return template % {"value": shown}
    except (KeyError, ValueError, TypeError):   # a translation that broke the placeholder
        return LINK_TITLES[kind] % {"value": shown}


def render_fact(fact: Fact, locale: str = "de", titles: Mapping[str, str] | None = None) -> str:
    """The fact as HTML; ``titles``: LINK_TITLES in the reader's language (German without)."""
    shown = shown_text(fact, locale)
    value = escape(fact.value if fact.kind == "url" else shown)   # a web address: the link target
    mark = ""
    if fact.record.flag:
        mark = f'<sup class="fact-mark {fact.record.flag}">{FACT_MARK}</sup>'
    if fact.kind in ("phone", "email"):
        title = escape(link_title(fact.kind, shown, titles))
        return (f'<a class="fact {fact.kind}" dir="ltr" href="{escape(fact.link)}" title="{title}">'
                f'{value}</a>{mark}')
    if fact.kind == "url":
        title = escape(link_title("url", shown, titles))
        return f'<a class="fact url" dir="ltr" href="{value}" title="{title}">{escape(shown)}</a>{mark}'
    if fact.kind == "hours":  # day names in the reader's language and direction, times left to right
        return f'<span class="fact hours">{_ltr_times(value)}</span>{mark}'
    if fact.kind in ("amount", "number"):
        return f'<span class="fact {fact.kind}" dir="ltr">{value}</span>{mark}'
    if fact.kind == "date":  # "31 ديسمبر 2023": day, month name and year in the reader's direction
        return f'<span class="fact date">{value}</span>{mark}'
    return f'<span class="fact" lang="de" dir="ltr">{value}</span>{mark}'


def _ltr_times(escaped: str) -> str:
    return re.sub(r"(\d{2}:\d{2}–\d{2}:\d{2}(?:, \d{2}:\d{2}–\d{2}:\d{2})*)", r'<span dir="ltr">\1</span>', escaped)


def fact_refs(text: str) -> list[str]:
    """Every ``id.field`` referenced in ``text``, in order."""
    return FACT_REF.findall(text)
