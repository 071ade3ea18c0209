"""Personalised handout for counsellors: chosen chapters in one language, the counsellor's
contact and the date on the back, in a few seconds."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from babel.dates import format_date

from .build import check_fonts
from .errors import KkguideError
from .fsio import atomic_write
from .markdown import make_markdown
from .project import load_catalogs, load_project, translation_for
from .render import render_html

MAX_CONTACT_CHARS = 300


@dataclass(frozen=True)
class HandoutBack:
    """What the template prints on the back of a handout."""

    counsellor: str
    date: str


@dataclass(frozen=True)
class Handout:
    path: Path
    pages: int
    chapters: tuple[str, ...]
    fallbacks: int


def _chapter_ids(config, chapters: Sequence[str], profile: str | None, known: list[str]) -> tuple[str, ...]:
    if not chapters and not profile:
        names = ", ".join(config.handout_profiles) or "none in guide.yml handout_profiles"
        raise KkguideError(f"which chapters? name them (--chapters {','.join(known[:3])}) or a profile "
                           f"(--profile NAME; this guide has: {names})")
    if chapters and profile:
        raise KkguideError("name the chapters (--chapters a,b,c) or a profile (--profile NAME), not both")
    if profile:
        if profile not in config.handout_profiles:
            raise KkguideError(f"unknown profile '{profile}' (guide.yml handout_profiles: "
                               f"{', '.join(config.handout_profiles) or 'none'})",
                               config.located.path, config.located.line("handout_profiles"))
        return tuple(config.handout_profiles[profile])
    for cid in chapters:
        if cid not in known:
            raise KkguideError(f"unknown chapter '{cid}' (chapters: {', '.join(known)})")
    return tuple(dict.fromkeys(chapters))


def make_handout(root: Path, out: Path, lang: str, chapters: Sequence[str], profile: str | None,
                 counsellor: str, day: dt.date) -> Handout:
    from .pdf import lay_out, write
    from .render import german_parts

    contact = counsellor.strip()
    if not contact or len(contact) > MAX_CONTACT_CHARS or any(ord(c) < 32 and c != "\n" for c in contact):
        raise KkguideError(f"--counsellor must be 1 to {MAX_CONTACT_CHARS} printable characters")
    project = load_project(root)
    config = project.config
    language = config.language(lang)
    ids = _chapter_ids(config, chapters, profile, [c.id for c in project.chapters])
    chosen = [c for c in project.chapters if c.id in ids]
    catalog = load_catalogs(project, [language.code])[language.code]
    translation = translation_for(project, language, catalog)
    check_fonts(project, [translation])
    back = HandoutBack(contact, format_date(day, format="long", locale=language.cldr))
    html = render_html(config, project.facts, chosen, translation, config.edition("screen"), make_markdown(),
                       handout=back)
    # tagged like the screen edition it is cut from (PDF/UA-1, German runs with /Lang de): a
    # handout is also handed over as a file, to people who may listen to it
    german = german_parts(config, project.facts, project.chapters, language, project.glossary)
    label = f"handout-{language.code}"
    pdf = write(lay_out(html, config.files, label), "pdf/ua-1", label, german)
    stamp = hashlib.sha256("\0".join([*ids, contact, day.isoformat()]).encode()).hexdigest()[:8]
    target = out / "handouts" / f"handout-{language.code}-{day.isoformat()}-{stamp}.pdf"
    atomic_write(target, pdf.data)
    used = {s.key for s in project.segments if s.chapter in ids}
    fallbacks = sum(1 for key in used if translation.texts[key].lang != language.code)
    return Handout(target, pdf.pages, ids, fallbacks)
