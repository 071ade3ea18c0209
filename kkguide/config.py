"""Stage 1: guide/guide.yml and guide/contacts.yml -> validated, frozen configuration."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from .frozen import FrozenMap
from typing import Mapping

from babel import Locale, UnknownLocaleError

from .errors import KkguideError
from .files import ProjectFiles
from .yamlfile import Located, check_keys, load_yaml

GUIDE_FILE = "guide/guide.yml"
FACTS_FILE = "guide/contacts.yml"
PAGE_SIZES = {"A5": (148.0, 210.0), "A4": (210.0, 297.0)}
EDITION_NAMES = {"screen", "print", "office-booklet", "bilingual"}
FACT_KINDS = {"phone": "phone", "phone2": "phone", "fax": "phone", "email": "email", "url": "url",
              "courses_url": "url"}
FACT_META = {"source", "checked"}
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
class Fact:
    id: str
    field: str
    value: str
    kind: str          # phone, email, url or text
    line: int
    checked: dt.date   # when the entry was last compared with its source


@dataclass(frozen=True)
class Facts:
    entries: Mapping[str, Fact]   # key "id.field"
    path: str

    def get(self, ref: str) -> Fact | None:
        return self.entries.get(ref)

    def oldest_check(self, default: dt.date) -> dt.date:
        """The date of the least recently checked fact: all facts are true as of this day."""
        return min((f.checked for f in self.entries.values()), default=default)


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
    check_keys(doc, data, (), {"title", "subtitle", "publisher", "publisher_address", "stand",
                               "source_language", "languages", "editions", "default_editions"},
               {"reviewed", "min_coverage", "min_readability", "handout_profiles", "web_url"})
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
    return GuideConfig(
        root=root, title=_text(doc, data, "title"), subtitle=_text(doc, data, "subtitle"),
        publisher=_text(doc, data, "publisher"), publisher_address=_text(doc, data, "publisher_address"),
        stand=stand, source_language=source, languages=languages,
        editions=FrozenMap(editions), default_editions=tuple(defaults), reviewed=reviewed,
        min_coverage=FrozenMap(min_coverage), handout_profiles=_profiles(doc, data.get("handout_profiles", {})),
        located=doc, files=files, min_readability=FrozenMap(_min_readability(doc, data.get("min_readability", {}), codes)),
        web_url=_web_url(doc, data.get("web_url", "")))


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
        if name == "print":
            check_keys(doc, spec, key, {"page_size", "output_profile", "output_condition"},
                       {"bleed_mm", "crop_marks", "min_dpi"})
        else:
            check_keys(doc, spec, key, {"page_size"})
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


def load_facts(files: ProjectFiles) -> Facts:
    if not files.is_file(FACTS_FILE, "facts file"):
        raise KkguideError("facts file not found", FACTS_FILE)
    doc = load_yaml(files.read_text(FACTS_FILE), FACTS_FILE)
    if not isinstance(doc.data, dict):
        raise KkguideError("expected a mapping of fact ids", doc.path, 1)
    entries: dict[str, Fact] = {}
    for fid, fields in doc.data.items():
        if not isinstance(fid, str) or not _FACT_ID.match(fid):
            raise KkguideError(f"fact id '{fid}' must be lower-case ASCII", doc.path, doc.line(fid))
        check_keys(doc, fields, (fid,), FACT_META, set(FACT_KINDS) | {"name", "address", "hours"})
        checked = fields["checked"]
        if not isinstance(checked, dt.date):
            raise KkguideError("'checked' must be a date", doc.path, doc.line(fid, "checked"))
        for field, value in fields.items():
            if field in FACT_META:
                continue
            if not isinstance(value, (str, int)) or not str(value).strip():
                raise KkguideError(f"'{fid}.{field}' must be a non-empty text", doc.path, doc.line(fid, field))
            kind = FACT_KINDS.get(field, "text")
            value = str(value).strip()
            _check_fact_value(kind, value, doc, doc.line(fid, field))
            entries[f"{fid}.{field}"] = Fact(fid, field, value, kind, doc.line(fid, field), checked)
    return Facts(FrozenMap(entries), doc.path)


_PHONE = re.compile(r"^\+?[0-9][0-9 \-/]*[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def _check_fact_value(kind: str, value: str, doc: Located, line: int) -> None:
    ok = {"phone": lambda v: bool(_PHONE.match(v)), "email": lambda v: bool(_EMAIL.match(v)),
          "url": lambda v: v.startswith("https://") or v.startswith("http://")}.get(kind, lambda v: True)
    if not ok(value):
        raise KkguideError(f"'{value}' is not a valid {kind}", doc.path, line)
