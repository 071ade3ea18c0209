"""What the guide's facts are worth: state, source, staleness and where each one is printed.

``kkguide facts`` reports every entry of guide/contacts.yml (verified or not, stale or not, valid
until when) with every place that prints it: chapter lines, template lines, and per language the
catalog lines of the messages that reference it. The same reading decides what the imprint may
claim (``printed_refs``, ``Facts.flagged``) and whether a guide may leave draft status
(``check_reviewed``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

from .config import FACTS_FILE, Facts, GuideConfig
from .errors import KkguideError
from .files import ProjectFiles
from .frozen import FrozenMap
from .markdown import fact_refs
from .sources import Chapter

TEMPLATE_DIR = "styles"


@dataclass(frozen=True)
class Use:
    ref: str          # "id.field"
    path: str         # chapter, template or catalog file
    line: int
    language: str     # "de" for chapters and templates, else the catalog's language


def chapter_uses(chapters: Sequence[Chapter]) -> tuple[Use, ...]:
    """Every {{id.field}} in the chapters (title, summary, body), with its file line."""
    found = []
    for chapter in chapters:
        lines = [(chapter.title_line, chapter.title), (chapter.summary_line, chapter.summary)]
        lines += [(chapter.body_line + i, text) for i, text in enumerate(chapter.body.split("\n"))]
        for line, text in lines:
            found += [Use(ref, chapter.path, line, "de") for ref in fact_refs(text)]
    return tuple(found)


def template_uses(files: ProjectFiles) -> tuple[Use, ...]:
    """Every ``fact("id.field")`` call in the templates, found in Jinja's own syntax tree."""
    import jinja2
    from jinja2 import nodes

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    found = []
    for shown in files.listing(TEMPLATE_DIR, "*.j2", kind="template"):
        tree = env.parse(files.read_text(shown, "template"))
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "fact" and call.args \
                    and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str):
                found.append(Use(call.args[0].value, shown, call.lineno, "de"))
    return tuple(found)


def check_template_refs(uses: Iterable[Use], facts: Facts) -> None:
    for use in uses:
        if facts.get(use.ref) is None:
            raise KkguideError(f'unknown fact reference fact("{use.ref}") (not in {facts.path})', use.path, use.line)


def printed_refs(chapters: Sequence[Chapter], templates: Sequence[Use]) -> tuple[str, ...]:
    """The facts a document made of ``chapters`` prints, the templates' own ones included."""
    return tuple(dict.fromkeys(u.ref for u in (*chapter_uses(chapters), *templates)))


def check_reviewed(config: GuideConfig, facts: Facts, refs: Sequence[str]) -> None:
    """A guide cannot leave draft status (``reviewed: true``) while a printed fact is unverified
    or stale: the build refuses, so no reviewed edition prints a fact nobody confirmed."""
    if not config.reviewed:
        return
    flagged = facts.flagged(refs)
    if flagged:
        first = flagged[0]
        raise KkguideError(f"'reviewed: true', but {len(flagged)} printed fact(s) are unverified or stale (first: "
                           f"{first.ref}, {facts.path}:{first.record.line}, {first.record.flag}); verify them "
                           "(kkguide facts lists them) or set 'reviewed: false'",
                           config.located.path, config.located.line("reviewed"))


def catalog_uses(catalog) -> tuple[Use, ...]:
    """The catalog lines of the current messages that reference each fact."""
    found = []
    for entry in catalog.entries.values():
        for ref in dict.fromkeys(fact_refs(entry.msgid)):
            found.append(Use(ref, catalog.path, entry.line, catalog.lang))
    return tuple(found)


@dataclass(frozen=True)
class FactRow:
    ref: str
    value: str
    kind: str
    line: int                 # contacts.yml line of the value
    entry_line: int           # contacts.yml line of the entry
    state: str
    stale: bool
    flag: str
    source: str
    verified_on: str
    verified_by: str
    valid_until: str
    used_in: tuple[str, ...]                  # "chapters/03-aufenthalt.md:16", "styles/imprint.html.j2:3"
    used_in_catalogs: Mapping[str, tuple[str, ...]]   # language -> "translations/ar/...:212"


@dataclass(frozen=True)
class FactReport:
    as_of: str
    max_age_days: int
    rows: tuple[FactRow, ...]

    @property
    def unverified(self) -> tuple[FactRow, ...]:
        return tuple(r for r in self.rows if r.state != "verified")

    @property
    def stale(self) -> tuple[FactRow, ...]:
        return tuple(r for r in self.rows if r.stale)

    @property
    def unused(self) -> tuple[FactRow, ...]:
        return tuple(r for r in self.rows if not r.used_in)

    def summary(self) -> str:
        printed = [r for r in self.rows if r.used_in]
        flagged = [r for r in printed if r.flag]
        return (f"{len(self.rows)} facts: {len(self.rows) - len(self.unverified)} verified, "
                f"{len(self.unverified)} unverified, {len(self.stale)} stale (older than {self.max_age_days} days "
                f"as of {self.as_of}); {len(printed)} printed, {len(flagged)} of them unverified or stale; "
                f"{len(self.unused)} unused")

    def json(self) -> str:
        data = {"as_of": self.as_of, "max_fact_age_days": self.max_age_days, "summary": self.summary(),
                "facts": [asdict(r) for r in self.rows]}
        return json.dumps(data, ensure_ascii=False, indent=2, default=lambda o: dict(o))

    def text(self) -> str:
        out = []
        for r in self.rows:
            state = r.state + (", STALE" if r.stale else "")
            out.append(f"{FACTS_FILE}:{r.line}: {r.ref} = {r.value}  [{state}]")
            out.append(f"    source: {r.source}")
            if r.verified_on:
                out.append(f"    verified on {r.verified_on} by {r.verified_by}")
            if r.valid_until:
                out.append(f"    valid until {r.valid_until}")
            out.append("    used in: " + (", ".join(r.used_in) or "(not printed)"))
            for lang, places in r.used_in_catalogs.items():
                out.append(f"    {lang}: {', '.join(places)}")
        out.append(self.summary())
        return "\n".join(out)


def fact_report(facts: Facts, chapters: Sequence[Chapter], templates: Sequence[Use],
                catalogs: Mapping[str, object]) -> FactReport:
    """Every fact with its state and every place that prints it (``catalogs``: language -> Catalog)."""
    places: dict[str, list[str]] = {}
    for use in (*chapter_uses(chapters), *templates):
        places.setdefault(use.ref, []).append(f"{use.path}:{use.line}")
    per_lang: dict[str, dict[str, list[str]]] = {}
    for code, catalog in catalogs.items():
        for use in catalog_uses(catalog):
            per_lang.setdefault(use.ref, {}).setdefault(code, []).append(f"{use.path}:{use.line}")
    rows = []
    for fact in facts.entries.values():
        rec = fact.record
        rows.append(FactRow(
            ref=fact.ref, value=fact.value, kind=fact.kind, line=fact.line, entry_line=rec.line, state=rec.state,
            stale=rec.stale, flag=rec.flag, source=rec.source,
            verified_on=rec.verified_on.isoformat() if rec.verified_on else "", verified_by=rec.verified_by,
            valid_until=rec.valid_until.isoformat() if rec.valid_until else "",
            used_in=tuple(places.get(fact.ref, ())),
            used_in_catalogs=FrozenMap({c: tuple(p) for c, p in per_lang.get(fact.ref, {}).items()})))
    return FactReport(facts.as_of.isoformat(), facts.max_age_days, tuple(rows))
