"""The keys of guide/guide.yml, guide/contacts.yml and chapter front matter, declared once.

Validation (``kkguide.config``, ``kkguide.sources``, ``kkguide.theme``) takes the allowed and
required key names from these tables, and the reference ``docs/configuration.md`` is written from
them (``kkguide.reference``): a key cannot be accepted without a line of documentation, and
``tests/test_reference.py`` fails when the reference is not current.

A ``Key`` is one mapping key: whether it is required, what it takes, what it is for, and either
the fixed keys of the mapping it holds (``keys``) or a description of free keys (``free``, e.g.
language codes or fact ids) whose values are again described by ``keys``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    name: str
    takes: str                      # what the value is, for the reference
    doc: str                        # what it is for
    required: bool = False
    keys: tuple["Key", ...] = ()    # the keys of the mapping it holds (or of each free key's value)
    free: str = ""                  # the mapping's keys are not fixed: what they are
    default: str = ""
    slot: str = ""                  # how a free key is shown in a key path: <LANG>, <ID> ...

    def child(self, name: str) -> "Key":
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(name)

    @property
    def required_names(self) -> frozenset[str]:
        return frozenset(k.name for k in self.keys if k.required)

    @property
    def optional_names(self) -> frozenset[str]:
        return frozenset(k.name for k in self.keys if not k.required)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(k.name for k in self.keys)


def _k(name, takes, doc, required=False, keys=(), free="", default="", slot=""):
    return Key(name, takes, doc, required, tuple(keys), free, default, slot)


PAGE_SIZE = _k("page_size", "A5 or A4", "Trim size of the pages.", required=True)
PLAIN_EDITION = (PAGE_SIZE,)

EDITIONS = _k("editions", "mapping", "The editions this guide can be built in, each with its page size.",
              required=True, keys=[
    _k("screen", "mapping", "Tagged PDF/UA-1 for screens and screen readers (RGB).", keys=PLAIN_EDITION),
    _k("print", "mapping", "PDF/X-4 in CMYK for the print shop, with bleed and the shop's output profile.", keys=[
        PAGE_SIZE,
        _k("output_profile", "path under styles/", "CMYK ICC output profile (the shop's, or "
           "styles/icc/FOGRA39-kkguide.icc).", required=True),
        _k("output_condition", "text", "The printing condition the profile stands for, e.g. FOGRA39.", required=True),
        _k("bleed_mm", "number 0-10", "Bleed on every side, in millimetres.", default="3"),
        _k("crop_marks", "true or false", "Crop marks outside the bleed (most shops want none).", default="false"),
        _k("min_dpi", "whole number, at least 72", "Lowest resolution of a placed image.", default="300"),
    ]),
    _k("bilingual", "mapping", "German and the reader's language block by block.", keys=PLAIN_EDITION),
    _k("office-booklet", "mapping", "Two A5 pages on A4 landscape in saddle-stitch order, for the office's duplex "
       "printer.", keys=PLAIN_EDITION),
])

# Theme colours: design tokens (CSS custom properties of the style sheets) a guide may set.
# (key, token, what it colours). Neutral text, paper, furniture and rule colours are not among
# them: they print in one ink on press (docs/print-profile.md).
THEME_COLOURS = (
    ("ink", "--kk-ink", "titles and headings, the cover's title"),
    ("identity", "--kk-blue", "the office's identity colour: chapter rules, summaries, quote bars, the web header rule"),
    ("ground", "--kk-sky", "pale ground: the cover, tip boxes, table heads (text stands on it)"),
    ("accent", "--kk-sun", "accent: marks and highlights"),
    ("alert", "--kk-alert", "emergency numbers, the draft badge, the mark of an unconfirmed fact"),
)

THEME = _k("theme", "mapping", "The guide's own look, without editing kkguide: colours, logo, fonts and an "
           "extra style sheet. Everything else comes from the style sheets and templates in styles/ "
           "(a file there replaces kkguide's built-in one of the same name).", keys=[
    _k("colours", "mapping", "Colours as #rrggbb; each sets a design token of the style sheets. Text colours need "
       "a contrast of at least 4.5:1 on white, the ground one of 4.5:1 under black text (WCAG 2.x).",
       keys=[_k(name, "#rrggbb", f"`{token}`: {what}.") for name, token, what in THEME_COLOURS]),
    _k("logo", "path under guide/images/", "The publisher's logo (SVG or PNG), on the cover and in the web "
       "edition's header; its alternative text is the publisher's name."),
    _k("fonts", "mapping", "Font stacks (lists of installed font families, first choice first).",
       free="`default` (the stack of every language that uses the style sheet's default stack) or a language code",
       slot="default|LANG", keys=[_k("(stack)", "list of font families", "Each family must be installed (fontconfig); every "
                "character printed is checked against the stack before rendering.")]),
    _k("stylesheet", "path under styles/", "An extra CSS file of the project, applied after kkguide's style "
       "sheets in the PDF editions and the web edition."),
])

GUIDE = _k("guide/guide.yml", "mapping", "The guide's own settings. An unknown key is an error.", keys=[
    _k("title", "text", "Title on the cover (translated).", required=True),
    _k("subtitle", "text", "Subtitle on the cover (translated).", required=True),
    _k("publisher", "text", "Publisher, e.g. the office's name; printed in German.", required=True),
    _k("publisher_address", "text", "The publisher's postal address, for the imprint and back cover.", required=True),
    _k("stand", "date (YYYY-MM-DD)", "Edition date (\"Stand\"), also the PDFs' creation date.", required=True),
    _k("source_language", "language code", "The language the chapters are written in (de).", required=True),
    _k("languages", "list of language codes", "Every language of the guide, the source language included, in "
       "the order of the languages page. BCP 47 codes CLDR knows, and prs, kmr, ckb, de-x-easy.", required=True),
    EDITIONS,
    _k("default_editions", "list of edition names", "What `kkguide build` builds without --edition.", required=True),
    _k("file_name", "lower-case letters, digits and hyphens", "Start of every PDF's file name: "
       "NAME-<lang>-<edition>.pdf.", default="kreis-kleve-welcome-guide"),
    _k("reviewed", "true or false", "The German text is approved by the office (lifts the source's draft "
       "badge; refused while a printed fact is unverified or stale).", default="false"),
    _k("min_coverage", "mapping", "Percent of messages that must be translated for a language to be built.",
       free="`default` or a language code", slot="default|LANG", keys=[_k("(percent)", "number 0-100", "Coverage needed.")]),
    _k("min_readability", "mapping", "Lowest German Flesch reading ease (Amstad) of any chapter, per German "
       "edition.", free="a German language code of `languages` (de, de-x-easy)", slot="LANG",
       keys=[_k("(score)", "number 0-100", "Lowest score.")]),
    _k("handout_profiles", "mapping", "Named chapter lists for `kkguide handout --profile NAME`.",
       free="a profile name", slot="PROFILE", keys=[_k("(chapters)", "list of chapter ids", "The chapters, in order.")]),
    _k("web_url", "https:// address", "Where dist/web is published (no query, no fragment); each language's "
       "page of it is printed as a QR code on the back cover.", default="none (no QR code)"),
    _k("max_fact_age_days", "whole number 1-3650", "A fact verified longer ago than this is stale: marked in "
       "print, blocks `reviewed`.", default="365"),
    THEME,
])

# Value fields of a fact entry: (name, kind, what it takes)
FACT_VALUES = (
    ("name", "text", "a name, printed as written"),
    ("address", "text", "a postal address, printed as written"),
    ("phone", "phone", "a German phone number in DIN 5008 style (02821 85-0, +49 911 943-0) or a short number "
     "(110, 116 117), checked with phonenumbers"),
    ("phone2", "phone", "a second phone number"),
    ("fax", "phone", "a fax number"),
    ("email", "email", "an e-mail address (syntax checked; `kkguide linkcheck` checks the domain)"),
    ("url", "url", "an https:// address; printed as a link"),
    ("courses_url", "url", "an https:// address of courses"),
    ("booking_url", "url", "an https:// address for appointments"),
    ("amount", "amount", "an amount like `13.90 EUR`, printed in each language's style"),
    ("amount2", "amount", "a second amount"),
    ("valid_from", "date", "the day a rule or amount holds from (YYYY-MM-DD), printed in each language's style"),
    ("date", "date", "a date (YYYY-MM-DD), printed in each language's style"),
    ("count", "number", "a whole number without separators (321000)"),
    ("count2", "number", "a second whole number"),
    ("hours", "hours", "opening hours like `Mo, Di, Do 08:00-15:00` or `Mo-Fr 09:00-11:00; Sa 10:00-12:00`, "
     "printed with each language's day names"),
    ("text", "text", "a short German text"),
)

FACT_ENTRY = (
    _k("source", "text", "A URL or a named document the values can be compared with.", required=True),
    _k("state", "verified or unverified", "`verified` only if someone compared every value of the entry with "
       "the source and they agreed; otherwise `unverified`.", required=True),
    _k("verified_on", "date", "The day of that comparison (only with `state: verified`, then required)."),
    _k("verified_by", "text", "Who compared, against what (only with `state: verified`, then required)."),
    _k("valid_until", "date", "The last day an amount or rule is known to hold; after it the build stops."),
    _k("note", "text", "For editors only, never printed."),
    _k("unlisted", "text", "Why a short number that phonenumbers does not know is accepted."),
    *(_k(name, kind, f"Value ({kind}): {what}.") for name, kind, what in FACT_VALUES),
)

CONTACTS = _k("guide/contacts.yml", "mapping", "Every fact the guide prints: contacts, amounts, dates, rules. "
              "Chapters and templates refer to a value as `{{id.field}}`. An entry needs at least one value "
              "field; rules and examples: docs/authoring.md.",
              free="a fact id (lower-case ASCII letters, digits, _)", slot="ID", keys=FACT_ENTRY)

FRONT_MATTER = _k("chapters/NN-slug.md front matter", "mapping", "The YAML block between `---` lines at the "
                  "top of every chapter. All keys are required.", keys=[
    _k("id", "ASCII id", "Stable id of the chapter (handout profiles, links, catalogs); never change it once "
       "translated.", required=True),
    _k("title", "text", "Chapter title (translated).", required=True),
    _k("order", "whole number", "Position in the guide, the same as NN.", required=True),
    _k("summary", "text", "One sentence under the title (translated).", required=True),
])

# Paper finishes of an order and their volume (thickness factor), kkguide.package's spine width.
FINISH_VOLUME = {"matt coated": 1.0, "gloss coated": 0.9, "uncoated": 1.15}

ORDER = _k("order file (kkguide package --order FILE)", "mapping", "One print-shop order: what `kkguide package` "
           "puts into the zip for the shop. It lives wherever you like (it is named on the command line).", keys=[
    _k("order", "ASCII letters, digits, `.`, `_`, `-`", "The order's id; it names the zip.", required=True),
    _k("paper", "mapping", "The paper of the interior (it sets the spine width of a perfect binding).",
       required=True, keys=[
        _k("weight_gsm", "whole number 60-400", "Paper weight in g/m².", required=True),
        _k("finish", " or ".join(FINISH_VOLUME), "The paper's finish.", required=True),
        _k("volume", "number", "Paper volume: sheet thickness in µm per g/m² (spine = pages / 2 × weight × volume / 1000 mm).",
           default=", ".join(f"{k}: {v}" for k, v in FINISH_VOLUME.items())),
    ]),
    _k("quantities", "mapping", "Copies to print per language.", required=True, free="a language of the guide",
       slot="LANG", keys=[_k("(copies)", "whole number, at least 1", "Copies of that language.")]),
    _k("shop", "text", "The print shop's name, for the job ticket."),
    _k("max_saddle_pages", "multiple of 4, at least 4", "Up to this many pages saddle stitch, above it perfect "
       "binding with a separate cover.", default="64"),
    _k("allow_drafts", "true or false", "Package proofs although a part is a draft (the files are marked "
       "DRAFT), like `--allow-drafts`.", default="false"),
])

FILES = (GUIDE, CONTACTS, FRONT_MATTER, ORDER)
