"""Stage 1: guide/guide.yml and guide/contacts.yml -> validated, frozen configuration."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from .frozen import FrozenMap
from typing import Mapping

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from .errors import KkguideError
from .files import ProjectFiles
from .schema import CONTACTS, EDITIONS, FACT_VALUES, GUIDE
from .theme import Theme, load_theme
from .yamlfile import Located, check_keys, load_yaml

GUIDE_FILE = "guide/guide.yml"
FACTS_FILE = "guide/contacts.yml"
PAGE_SIZES = {"A5": (148.0, 210.0), "A4": (210.0, 297.0)}
EDITION_NAMES = set(EDITIONS.names)
# value fields of a fact entry and how each is checked and set (declared in kkguide.schema)
FACT_KINDS = {name: kind for name, kind, _ in FACT_VALUES}
FACT_META_REQUIRED = set(CONTACTS.required_names)
FACT_META_OPTIONAL = set(CONTACTS.optional_names) - set(FACT_KINDS)
DEFAULT_FILE_NAME = "kreis-kleve-welcome-guide"
_FILE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACT_STATES = ("verified", "unverified")
DEFAULT_MAX_FACT_AGE = 365
_FACT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PROFILE_PATH = re.compile(r"^styles/[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class Language:
    code: str          # BCP 47, as in HTML lang and PDF /Lang (e.g. "prs", "de-x-easy")
    name: str          # the language's own name, in its own script (endonym)
    direction: str     # "ltr" or "rtl"
    locale: str = ""   # the CLDR locale for dates and numbers (Babel); defaults to ``code``

    @property
    def cldr(self) -> str:
        return self.locale or self.code


# Languages whose code CLDR does not know, or whose CLDR name is not what readers call their
# language: code -> (endonym, direction, CLDR locale). CLDR calls Kurmanji "kurdî (kurmancî)
# (Tirkîye)" for kmr and Sorani "کوردیی ناوەندی" (Central Kurdish); Dari has no CLDR code of its
# own (fa_AF is Persian as used in Afghanistan).
LANGUAGE_OVERRIDES = {
    "prs": ("دری", "rtl", "fa_AF"),
    "kmr": ("Kurdî Kurmancî", "ltr", "ku"),
    "ckb": ("کوردی سۆرانی", "rtl", "ckb"),
    "fa": ("فارسی", "rtl", "fa"),
    "de-x-easy": ("Einfaches Deutsch", "ltr", "de"),
}


@dataclass(frozen=True)
class Edition:
    name: str
    page_size: str
    bleed_mm: float = 0.0              # print: trim + bleed on every side
    crop_marks: bool = False           # print: marks only on request
    output_profile: str | None = None  # print: CMYK ICC profile (project path under styles/)
    output_condition: str = ""         # print: e.g. FOGRA39
    min_dpi: int = 300                 # print: lowest image resolution at placed size

    @property
    def is_print(self) -> bool:
        return self.name == "print"

    @property
    def is_bilingual(self) -> bool:
        return self.name == "bilingual"

    @property
    def is_office_booklet(self) -> bool:
        return self.name == "office-booklet"

    @property
    def size_mm(self) -> tuple[float, float]:
        return PAGE_SIZES[self.page_size]


@dataclass(frozen=True)
class GuideConfig:
    root: Path
    title: str
    subtitle: str
    publisher: str
    publisher_address: str
    stand: dt.date
    source_language: Language
    languages: tuple[Language, ...]
    editions: Mapping[str, Edition]
    default_editions: tuple[str, ...]
    reviewed: bool
    min_coverage: Mapping[str, float]   # language code (or "default") -> percent
    handout_profiles: Mapping[str, tuple[str, ...]]  # topic profile -> chapter ids
    located: Located
    files: ProjectFiles                 # the one door through which the project is read
    min_readability: Mapping[str, float]  # German edition -> lowest Flesch (Amstad) per chapter
    max_fact_age_days: int = DEFAULT_MAX_FACT_AGE   # a verification older than this is stale
    theme: Theme = Theme()              # the guide's own colours, logo, fonts (guide.yml theme)
    file_name: str = DEFAULT_FILE_NAME  # PDFs are FILE_NAME-<lang>-<edition>.pdf
    web_url: str = ""                   # https:// address of the web edition (its QR code on the back cover)

    def web_page(self, code: str) -> str:
        """The web edition's page of one language ('' without ``web_url``)."""
        return f"{self.web_url}/{code}/index.html" if self.web_url else ""

    def required_coverage(self, code: str) -> float:
        """Percent of messages that must be translated for ``code`` to be built."""
        if code == self.source_language.code:
            return 0.0
        return self.min_coverage.get(code, self.min_coverage.get("default", 0.0))

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        known = ", ".join(lang.code for lang in self.languages)
        raise KkguideError(f"unknown language '{code}' (this guide has: {known})",
                           self.located.path, self.located.line("languages"))

    def edition(self, name: str) -> Edition:
        if name not in self.editions:
            known = ", ".join(self.editions)
            raise KkguideError(f"unknown edition '{name}' (this guide has: {known})",
                               self.located.path, self.located.line("editions"))
        return self.editions[name]

    def targets(self, codes) -> list[Language]:
        """The named target languages, or all of them when none is named."""
        return [self.language(c) for c in codes] or list(self.target_languages)

    @property
    def target_languages(self) -> tuple[Language, ...]:
        return tuple(lang for lang in self.languages if lang.code != self.source_language.code)


@dataclass(frozen=True)
class FactRecord:
    """One entry of guide/contacts.yml: where its values come from and whether anyone checked them."""

    id: str
    line: int
    source: str                    # a URL or a named document
    state: str                     # "verified" or "unverified"
    verified_on: dt.date | None    # only for verified entries
    verified_by: str               # who compared the values with the source, and against what
    valid_until: dt.date | None    # amounts and rules that change: the last day they are known to hold
    note: str                      # for editors only, never printed
    unlisted: str                  # why a short number unknown to phonenumbers' metadata is accepted
    stale: bool                    # verified longer ago than max_fact_age_days (as of ``Facts.as_of``)

    @property
    def flag(self) -> str:
        """"unverified", "stale" or "" (a fact a reader can rely on)."""
        if self.state != "verified":
            return "unverified"
        return "stale" if self.stale else ""


@dataclass(frozen=True)
class Fact:
    id: str
    field: str
    value: str         # as printed in German (phones in DIN 5008 form, amounts as "13,90 €")
    kind: str          # phone, email, url, amount, number, date or text
    line: int
    record: FactRecord
    link: str = ""     # tel: (E.164 or the short number), mailto: or https: target
    number: Decimal | None = None   # amounts: the value, formatted per language when rendered
    currency: str = ""
    day: dt.date | None = None      # dates: formatted per language when rendered
    hours: tuple = ()               # opening hours: ((weekdays, is_range, ((start, end), ...)), ...)

    @property
    def ref(self) -> str:
        return f"{self.id}.{self.field}"


@dataclass(frozen=True)
class Facts:
    entries: Mapping[str, Fact]   # key "id.field"
    records: Mapping[str, FactRecord]
    path: str
    as_of: dt.date = dt.date(1970, 1, 1)   # the day staleness and valid_until were judged
    max_age_days: int = DEFAULT_MAX_FACT_AGE

    def get(self, ref: str) -> Fact | None:
        return self.entries.get(ref)

    def flagged(self, refs) -> tuple[Fact, ...]:
        """The facts among ``refs`` that a reader cannot rely on (unverified or stale)."""
        return tuple(f for f in (self.entries[r] for r in dict.fromkeys(refs) if r in self.entries)
                     if f.record.flag)

    def oldest_verification(self, refs) -> dt.date | None:
        """The earliest verification date of the facts among ``refs``; None if one is not verified."""
        days = [self.entries[r].record.verified_on for r in refs if r in self.entries]
        if not days or any(d is None for d in days) or self.flagged(refs):
            return None
        return min(days)


def facts_day(config: "GuideConfig", today: dt.date | None = None) -> dt.date:
    """The day facts are judged on: today (SOURCE_DATE_EPOCH, the reproducible-builds variable, when
    set), or the edition date when that lies later: a fact must hold on the day it is printed and
    on the edition's own date."""
    return max(config.stand, today or build_day())


def build_day() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError):
            raise KkguideError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{epoch}'") from None
    return dt.date.today()


def make_language(code: str, path: str, line: int) -> Language:
    if code in LANGUAGE_OVERRIDES:
        name, direction, locale = LANGUAGE_OVERRIDES[code]
        return Language(code=code, name=name, direction=direction, locale=locale)
    found = _locale(code)
    if found is None:
        raise KkguideError(f"unknown language code '{code}'", path, line)
    name, direction = found
    return Language(code=code, name=name, direction=direction)


@lru_cache(maxsize=256)
def _locale(code: str) -> tuple[str, str] | None:
    """(own name, text direction) from CLDR: a pure lookup, memoised because Babel loads a data
    file per locale and every command reads guide.yml at least once."""
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:], locale.text_direction


def _text(doc: Located, data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise KkguideError(f"'{key}' must be a non-empty text", doc.path, doc.line(key))
    return value.strip()


def load_config(root: Path) -> GuideConfig:
    files = ProjectFiles.at(root)
    if not files.is_file(GUIDE_FILE, "guide configuration"):
        raise KkguideError("not found: this folder is not a kkguide project "
                           "(run kkguide in the project folder, or name it with -C DIR)", files.real / GUIDE_FILE)
    doc = load_yaml(files.read_text(GUIDE_FILE), GUIDE_FILE)
    data = doc.data
    check_keys(doc, data, (), GUIDE.required_names, GUIDE.optional_names)
    stand = data["stand"]
    if not isinstance(stand, dt.date) or isinstance(stand, dt.datetime):
        raise KkguideError("'stand' must be a date like 2026-11-25", doc.path, doc.line("stand"))
    codes = data["languages"]
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise KkguideError("'languages' must be a list of language codes", doc.path, doc.line("languages"))
    if len(set(codes)) != len(codes):
        raise KkguideError("'languages' lists a language twice", doc.path, doc.line("languages"))
    languages = tuple(make_language(c, doc.path, doc.line("languages", i)) for i, c in enumerate(codes))
    source = make_language(_text(doc, data, "source_language"), doc.path, doc.line("source_language"))
    if source.code not in codes:
        raise KkguideError(f"source language '{source.code}' must be listed in 'languages'",
                           doc.path, doc.line("languages"))
    editions = _editions(doc, data["editions"], files)
    defaults = data["default_editions"]
    if not isinstance(defaults, list) or not defaults:
        raise KkguideError("'default_editions' must be a list of editions", doc.path, doc.line("default_editions"))
    for i, name in enumerate(defaults):
        if name not in editions:
            raise KkguideError(f"unknown edition '{name}'", doc.path, doc.line("default_editions", i))
    reviewed = data.get("reviewed", False)
    if not isinstance(reviewed, bool):
        raise KkguideError("'reviewed' must be true or false", doc.path, doc.line("reviewed"))
    min_coverage = _min_coverage(doc, data.get("min_coverage", {}), codes)
    max_age = data.get("max_fact_age_days", DEFAULT_MAX_FACT_AGE)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or not 1 <= max_age <= 3650:
        raise KkguideError("'max_fact_age_days' must be a whole number of days from 1 to 3650",
                           doc.path, doc.line("max_fact_age_days"))
    return GuideConfig(
        root=root, title=_text(doc, data, "title"), subtitle=_text(doc, data, "subtitle"),
        publisher=_text(doc, data, "publisher"), publisher_address=_text(doc, data, "publisher_address"),
        stand=stand, source_language=source, languages=languages,
        editions=FrozenMap(editions), default_editions=tuple(defaults), reviewed=reviewed,
        min_coverage=FrozenMap(min_coverage), handout_profiles=_profiles(doc, data.get("handout_profiles", {})),
        located=doc, files=files, min_readability=FrozenMap(_min_readability(doc, data.get("min_readability", {}), codes)),
        max_fact_age_days=max_age, theme=load_theme(doc, data.get("theme"), files, tuple(codes)),
        file_name=_file_name(doc, data.get("file_name", DEFAULT_FILE_NAME)),
        web_url=_web_url(doc, data.get("web_url", "")))


def _file_name(doc: Located, value: object) -> str:
    if not isinstance(value, str) or not _FILE_NAME.match(value) or len(value) > 80:
        raise KkguideError("'file_name' must be lower-case ASCII letters and digits joined by hyphens "
                           f"(e.g. musterstadt-welcome-guide), not {value!r}", doc.path, doc.line("file_name"))
    return value


def _web_url(doc: Located, value: object) -> str:
    """``web_url: https://...``: where dist/web is published (no query, no fragment)."""
    from urllib.parse import urlsplit

    if value == "":
        return ""
    parts = urlsplit(value) if isinstance(value, str) else None
    if (parts is None or parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment
            or any(ch.isspace() for ch in value)):
        raise KkguideError(f"'web_url' must be an https:// address (where dist/web is published), not {value!r}",
                           doc.path, doc.line("web_url"))
    return value.rstrip("/")


def _profiles(doc: Located, data: object) -> FrozenMap:
    """``handout_profiles: {family: [registration, school, ...]}``; chapter ids are checked later."""
    if not isinstance(data, dict):
        raise KkguideError("'handout_profiles' must map profile names to lists of chapter ids",
                           doc.path, doc.line("handout_profiles"))
    profiles = {}
    for name, ids in data.items():
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise KkguideError(f"profile '{name}' must be a list of chapter ids", doc.path,
                               doc.line("handout_profiles", name))
        profiles[str(name)] = tuple(ids)
    return FrozenMap(profiles)


def _min_readability(doc: Located, data: object, codes: list[str]) -> dict[str, float]:
    """``min_readability: {de-x-easy: 70}``: the lowest German Flesch reading ease (Amstad) a chapter
    of that edition may have; the formula is German, so only German editions can have a policy."""
    if not isinstance(data, dict):
        raise KkguideError("'min_readability' must map German editions (de, de-x-easy) to scores",
                           doc.path, doc.line("min_readability"))
    policy = {}
    for code, value in data.items():
        if code not in codes or not (code == "de" or str(code).startswith("de-")):
            raise KkguideError(f"'min_readability' names '{code}': only German editions listed in 'languages' "
                               "can have one (the formula is German)", doc.path, doc.line("min_readability", code))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise KkguideError("readability must be a Flesch score from 0 to 100", doc.path,
                               doc.line("min_readability", code))
        policy[code] = float(value)
    return policy


def _min_coverage(doc: Located, data: object, codes: list[str]) -> dict[str, float]:
    """``min_coverage: {default: 90, ti: 20}``: percent translated below which a language is not built."""
    if not isinstance(data, dict):
        raise KkguideError("'min_coverage' must map language codes (or 'default') to percentages",
                           doc.path, doc.line("min_coverage"))
    policy = {}
    for code, value in data.items():
        if code != "default" and code not in codes:
            raise KkguideError(f"'min_coverage' names '{code}', which is not in 'languages'",
                               doc.path, doc.line("min_coverage", code))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise KkguideError("coverage must be a percentage from 0 to 100", doc.path, doc.line("min_coverage", code))
        policy[code] = float(value)
    return policy


def _editions(doc: Located, data: object, files: ProjectFiles) -> dict[str, Edition]:
    check_keys(doc, data, ("editions",), set(), EDITION_NAMES)
    editions = {}
    for name, spec in data.items():
        key = ("editions", name)
        check_keys(doc, spec, key, EDITIONS.child(name).required_names, EDITIONS.child(name).optional_names)
        size = spec["page_size"]
        if size not in PAGE_SIZES:
            raise KkguideError(f"unknown page size '{size}' (known: {', '.join(PAGE_SIZES)})",
                               doc.path, doc.line(*key, "page_size"))
        if name != "print":
            editions[name] = Edition(name=name, page_size=size)
            continue
        bleed = spec.get("bleed_mm", 3)
        if isinstance(bleed, bool) or not isinstance(bleed, (int, float)) or not 0 <= bleed <= 10:
            raise KkguideError("'bleed_mm' must be a number of millimetres from 0 to 10", doc.path, doc.line(*key, "bleed_mm"))
        marks = spec.get("crop_marks", False)
        if not isinstance(marks, bool):
            raise KkguideError("'crop_marks' must be true or false", doc.path, doc.line(*key, "crop_marks"))
        dpi = spec.get("min_dpi", 300)
        if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < 72:
            raise KkguideError("'min_dpi' must be a whole number of at least 72", doc.path, doc.line(*key, "min_dpi"))
        profile = spec["output_profile"]
        if (not isinstance(profile, str) or not _PROFILE_PATH.match(profile)
                or not _project_file(files, profile, doc, key)):
            raise KkguideError(f"output profile '{profile}' not found (an ICC file under styles/)",
                               doc.path, doc.line(*key, "output_profile"))
        editions[name] = Edition(name=name, page_size=size, bleed_mm=float(bleed), crop_marks=marks,
                                 output_profile=profile, output_condition=str(spec["output_condition"]), min_dpi=dpi)
    return editions


def _project_file(files: ProjectFiles, rel: str, doc: Located, key: tuple) -> bool:
    try:
        return files.is_file(rel, "output profile")
    except KkguideError as exc:  # a refused path: name the guide.yml line that asked for it
        raise exc.at(doc.path, doc.line(*key, "output_profile")) from None


def load_facts(files: ProjectFiles, as_of: dt.date | None = None, max_age_days: int = DEFAULT_MAX_FACT_AGE) -> Facts:
    """guide/contacts.yml, every value checked, every entry judged as of ``as_of`` (default: today)."""
    as_of = as_of or build_day()
    if not files.is_file(FACTS_FILE, "facts file"):
        raise KkguideError("facts file not found", FACTS_FILE)
    doc = load_yaml(files.read_text(FACTS_FILE), FACTS_FILE)
    if not isinstance(doc.data, dict):
        raise KkguideError("expected a mapping of fact ids", doc.path, 1)
    entries: dict[str, Fact] = {}
    records: dict[str, FactRecord] = {}
    for fid, fields in doc.data.items():
        if not isinstance(fid, str) or not _FACT_ID.match(fid):
            raise KkguideError(f"fact id '{fid}' must be lower-case ASCII", doc.path, doc.line(fid))
        if isinstance(fields, dict) and "checked" in fields:
            raise KkguideError("'checked' is no longer used: write 'state: verified' with 'verified_on' and "
                               "'verified_by' (only if you compared the values with the source), else "
                               "'state: unverified'", doc.path, doc.line(fid, "checked"))
        check_keys(doc, fields, (fid,), FACT_META_REQUIRED, FACT_META_OPTIONAL | set(FACT_KINDS))
        record = _record(doc, fid, fields, as_of, max_age_days)
        records[fid] = record
        values = [f for f in fields if f in FACT_KINDS]
        if not values:
            raise KkguideError(f"fact '{fid}' has no value (fields: {', '.join(sorted(FACT_KINDS))})",
                               doc.path, doc.line(fid))
        for field in values:
            fact = _fact(doc, fid, field, fields[field], record)
            entries[fact.ref] = fact
        if record.unlisted and not any(f.kind == "phone" and f.link.startswith("tel:") and "+" not in f.link
                                       for f in entries.values() if f.id == fid):
            raise KkguideError("'unlisted' is only for a short number that phonenumbers does not list",
                               doc.path, doc.line(fid, "unlisted"))
    return Facts(FrozenMap(entries), FrozenMap(records), doc.path, as_of, max_age_days)


def _meta_text(doc: Located, fid: str, fields: dict, key: str, required: bool = False) -> str:
    value = fields.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise KkguideError(f"'{fid}.{key}' must be a non-empty text", doc.path, doc.line(fid, key))
    return " ".join(value.split())


def _meta_date(doc: Located, fid: str, fields: dict, key: str) -> dt.date | None:
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise KkguideError(f"'{fid}.{key}' must be a date like 2026-11-25", doc.path, doc.line(fid, key))
    return value


def _record(doc: Located, fid: str, fields: dict, as_of: dt.date, max_age_days: int) -> FactRecord:
    state = fields["state"]
    if state not in FACT_STATES:
        raise KkguideError(f"'{fid}.state' must be 'verified' or 'unverified', not '{state}'",
                           doc.path, doc.line(fid, "state"))
    source = _meta_text(doc, fid, fields, "source", required=True)
    verified_on = _meta_date(doc, fid, fields, "verified_on")
    verified_by = _meta_text(doc, fid, fields, "verified_by")
    if state == "verified":
        for key, value in (("verified_on", verified_on), ("verified_by", verified_by)):
            if not value:
                raise KkguideError(f"missing key '{key}': a verified fact says when and by whom it was "
                                   "compared with its source", doc.path, doc.line(fid, "state"))
        if verified_on > as_of:
            raise KkguideError(f"'{fid}.verified_on' {verified_on} lies in the future (facts are judged as of "
                               f"{as_of})", doc.path, doc.line(fid, "verified_on"))
    else:
        for key in ("verified_on", "verified_by"):
            if key in fields:
                raise KkguideError(f"'{key}' is only for 'state: verified': a fact nobody compared with its "
                                   "source has no verification", doc.path, doc.line(fid, key))
    valid_until = _meta_date(doc, fid, fields, "valid_until")
    if valid_until is not None and valid_until < as_of:
        raise KkguideError(f"fact '{fid}' is past its valid_until {valid_until} (facts are judged as of "
                           f"{as_of}): check the current value with its source and update the entry",
                           doc.path, doc.line(fid, "valid_until"))
    stale = state == "verified" and (as_of - verified_on).days > max_age_days
    return FactRecord(id=fid, line=doc.line(fid), source=source, state=state, verified_on=verified_on,
                      verified_by=verified_by, valid_until=valid_until,
                      note=_meta_text(doc, fid, fields, "note"), unlisted=_meta_text(doc, fid, fields, "unlisted"),
                      stale=stale)


def _fact(doc: Located, fid: str, field: str, raw: object, record: FactRecord) -> Fact:
    line = doc.line(fid, field)
    kind = FACT_KINDS[field]
    if kind == "date":
        day = _meta_date(doc, fid, {field: raw}, field)
        return Fact(fid, field, format_date(day, format="long", locale="de"), kind, line, record, day=day)
    if isinstance(raw, bool) or not isinstance(raw, (str, int)) or not str(raw).strip():
        raise KkguideError(f"'{fid}.{field}' must be a non-empty text", doc.path, line)
    value = " ".join(str(raw).split())
    if kind == "phone":
        shown, link = check_phone(value, record.unlisted, doc.path, line)
        return Fact(fid, field, shown, kind, line, record, link=link)
    if kind == "email":
        return Fact(fid, field, check_email(value, doc.path, line), kind, line, record, link=f"mailto:{value}")
    if kind == "url":
        return Fact(fid, field, value, kind, line, record, link=check_url(value, doc.path, line))
    if kind == "number":
        if not re.fullmatch(r"\d{1,12}", value):
            raise KkguideError(f"'{value}' is not a whole number (write it without separators, e.g. 321000)",
                               doc.path, line)
        return Fact(fid, field, format_decimal(int(value), locale="de"), kind, line, record, number=Decimal(value))
    if kind == "hours":
        groups = parse_hours(value, doc.path, line)
        return Fact(fid, field, format_hours(groups, "de"), kind, line, record, hours=groups)
    if kind == "amount":
        number, currency = _amount(value, doc.path, line)
        shown = format_currency(number, currency, locale="de")
        return Fact(fid, field, shown, kind, line, record, number=number, currency=currency)
    return Fact(fid, field, value, kind, line, record)


# Opening hours, written in a short form that every language can print in its own words:
# "Mo, Di, Do 08:00-15:00", "Mo-Fr 09:00-11:00; Sa 10:00-12:00", "Mo-Do 08:00-12:00, 13:00-15:30".
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_HOURS_GROUP = re.compile(r"^(?P<days>[A-Za-z, \-–]+?) (?P<times>\d{1,2}:\d{2}\s*[-–]\s*\d{1,2}:\d{2}"
                          r"(?:\s*,\s*\d{1,2}:\d{2}\s*[-–]\s*\d{1,2}:\d{2})*)$")


def parse_hours(value: str, path: str, line: int) -> tuple:
    def bad(why: str) -> KkguideError:
        return KkguideError(f"'{value}' is not opening hours ({why}): write them like 'Mo, Di, Do 08:00-15:00' "
                            f"or 'Mo-Fr 09:00-11:00; Sa 10:00-12:00' (days {', '.join(WEEKDAYS)})", path, line)

    groups = []
    for part in value.split(";"):
        match = _HOURS_GROUP.match(part.strip())
        if not match:
            raise bad("days, then times")
        days_text = match.group("days").replace("–", "-").replace(" ", "")
        if "-" in days_text:
            first, _, last = days_text.partition("-")
            if first not in WEEKDAYS or last not in WEEKDAYS or WEEKDAYS.index(first) >= WEEKDAYS.index(last):
                raise bad(f"day range {days_text}")
            days, is_range = (WEEKDAYS.index(first), WEEKDAYS.index(last)), True
        else:
            names = days_text.split(",")
            if not all(n in WEEKDAYS for n in names):
                raise bad(f"unknown day in {days_text}")
            days, is_range = tuple(WEEKDAYS.index(n) for n in names), False
        times = []
        for span in match.group("times").split(","):
            start, end = (dt.time(*map(int, t.strip().split(":"))) if int(t.strip().split(":")[0]) < 24
                          and int(t.strip().split(":")[1]) < 60 else None for t in re.split(r"[-–]", span))
            if start is None or end is None or start >= end:
                raise bad(f"time {span.strip()}")
            times.append((start, end))
        groups.append((days, is_range, tuple(times)))
    return tuple(groups)


def format_hours(groups: tuple, locale: str) -> str:
    """Opening hours in ``locale``'s own day names and list style (Babel/CLDR), 24-hour times."""
    from babel import Locale
    from babel.lists import format_list

    names = Locale.parse(locale).days["format"]["wide"]   # 0 = Monday
    parts = []
    for days, is_range, times in groups:
        shown = f"{names[days[0]]}–{names[days[1]]}" if is_range else format_list([names[d] for d in days],
                                                                                 locale=locale)
        spans = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in times)
        parts.append(f"{shown} {spans}")
    text = format_list(parts, locale=locale) if len(parts) > 1 else parts[0]
    return text.translate({0x200E: None, 0x200F: None, 0x061C: None})  # the fact sets its own direction


_AMOUNT = re.compile(r"^(?P<number>\d{1,7}(?:\.\d{1,2})?) (?P<currency>EUR)$")


def _amount(value: str, path: str, line: int) -> tuple[Decimal, str]:
    match = _AMOUNT.match(value)
    if not match:
        raise KkguideError(f"'{value}' is not an amount: write it like '13.90 EUR' (a point before the cents; "
                           "it is printed in each language's own style)", path, line)
    try:
        return Decimal(match.group("number")), match.group("currency")
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        raise KkguideError(f"'{value}' is not an amount", path, line) from None


# DIN 5008: area code (with its 0) or +49 and area code, one space, the subscriber number; a hyphen
# only before an extension (02821 85-0, +49 911 943-6390). Short numbers are written as dialled;
# the EU's harmonised 116 xxx numbers also with a space after 116.
_DIN_NATIONAL = re.compile(r"^0(?P<ndc>\d+) (?P<sn>\d+(?:-\d+)?)$")
_DIN_INTERNATIONAL = re.compile(r"^\+49 (?P<ndc>\d+) (?P<sn>\d+(?:-\d+)?)$")
_SHORT = re.compile(r"^(?:\d{3,6}|116 \d{3})$")


def check_phone(value: str, unlisted: str, path: str, line: int) -> tuple[str, str]:
    """(printed form, tel: link) of a German phone number, validated with phonenumbers."""
    import phonenumbers
    from phonenumbers import shortnumberinfo

    try:
        number = phonenumbers.parse(value, "DE")
    except phonenumbers.NumberParseException:
        raise KkguideError(f"'{value}' is not a valid phone number", path, line) from None
    digits = re.sub(r"\D", "", value)
    if _SHORT.match(value) and not value.startswith("0"):
        known = shortnumberinfo.is_valid_short_number_for_region(number, "DE")
        if not known and not (unlisted and shortnumberinfo.is_possible_short_number_for_region(number, "DE")):
            raise KkguideError(f"'{value}' is not a valid phone number (not a short number phonenumbers knows "
                               "for Germany; if it was assigned recently, say so in 'unlisted')", path, line)
        return value, f"tel:{digits}"
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "DE":
        raise KkguideError(f"'{value}' is not a valid phone number (phonenumbers: not a valid German number)",
                           path, line)
    national = phonenumbers.national_significant_number(number)
    ndc = national[:phonenumbers.length_of_national_destination_code(number)]
    match = _DIN_NATIONAL.match(value) or _DIN_INTERNATIONAL.match(value)
    sn = national[len(ndc):]
    if not match or match.group("ndc") != ndc or match.group("sn").replace("-", "") != sn:
        prefix = "+49 " if value.startswith("+") else "0"
        raise KkguideError(f"'{value}' is not written in DIN 5008 style: write '{prefix}{ndc} {sn}' (area code, "
                           "space, number; a hyphen only before an extension)", path, line)
    return value, "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_email(value: str, path: str, line: int) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)  # syntax only: no network while building
    except EmailNotValidError as exc:
        raise KkguideError(f"'{value}' is not a valid e-mail address: {exc}", path, line) from None
    return value


def check_url(value: str, path: str, line: int) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or " " in value:
        raise KkguideError(f"'{value}' is not an https:// address (facts link only to encrypted pages)", path, line)
    return value
