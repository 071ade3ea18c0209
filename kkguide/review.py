"""Review sign-off: a person who has checked a translation records it, message by message.

``kkguide review --lang L --reviewer NAME`` writes ``# reviewed DATE by NAME [hash]`` on every
message that is printed in the target language (translated, not fuzzy, passing the checks), in
the chosen chapters or all of them. The hash covers msgctxt, msgid and msgstr: a changed German
message (or translation) loses its review (``catalogs.parse_review``). The draft badge is lifted
only when every printed message carries a valid review (``translate.translate``); then the
imprint names the reviewers and the latest date, and the catalog header says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from .catalogs import (DRAFT, REVIEW_HEADER, Review, check_reviewer, load_catalog, parse_po, parse_review,
                       serialize, set_review, validate)
from .errors import KkguideError
from .fsio import atomic_write
from .project import Project, translation_for
from .segments import Key

PAGES = "pages"     # --chapter pages: the cover, page furniture and imprint (messages outside chapters)


@dataclass(frozen=True)
class ReviewReport:
    path: str
    reviewed: int          # signed off now
    already: int           # carried a valid review before
    not_printed: int       # fuzzy, untranslated or refused by the checks: nothing to sign off
    complete: bool         # every printed message reviewed: the draft badge is lifted
    remaining: int         # printed messages still without a review


def sign_off(project: Project, code: str, reviewer: str, day: dt.date, chapters: Sequence[str] = ()) -> ReviewReport:
    config = project.config
    language = config.language(code)
    if code == config.source_language.code:
        raise KkguideError(f"'{code}' is the source language: set 'reviewed: true' in guide/guide.yml instead",
                           config.located.path, config.located.line("source_language"))
    name = check_reviewer(reviewer)
    known = {c.id for c in project.chapters} | {PAGES}
    for chapter in chapters:
        if chapter not in known:
            raise KkguideError(f"unknown chapter '{chapter}' (chapters: {', '.join(sorted(known))})")
    catalog = load_catalog(config.files, code)
    translation = translation_for(project, language, catalog)
    chosen = _keys_in(project, {"" if c == PAGES else c for c in chapters})
    po = parse_po(config.files.read_text(catalog.path, "catalog"), catalog.path)
    entries = {Key(e.msgctxt, e.msgid): e for e in po if not e.obsolete and e.msgid}
    reviewed = already = not_printed = 0
    for key in chosen:
        rendition = translation.texts[key]
        if rendition.status != "translated":
            not_printed += 1
            continue
        entry = entries[key]
        if parse_review(entry)[0] is not None:
            already += 1
            continue
        set_review(entry, Review(name, day))
        reviewed += 1
    printed = [k for k, r in translation.texts.items() if r.status == "translated"]
    remaining = sum(1 for k in printed if parse_review(entries[k])[0] is None)
    complete = bool(printed) and remaining == 0
    if complete:
        names = sorted({parse_review(entries[k])[0].reviewer for k in printed})
        last = max(parse_review(entries[k])[0].day for k in printed)
        po.metadata[REVIEW_HEADER] = f"reviewed {last.isoformat()} by {', '.join(names)}"
    else:
        po.metadata[REVIEW_HEADER] = DRAFT
    if reviewed or po.metadata[REVIEW_HEADER] != catalog.review:
        text = serialize(po, catalog.path)
        validate(text, catalog.path)
        atomic_write(config.files.locate(catalog.path, "catalog"), text.encode("utf-8"))
    return ReviewReport(catalog.path, reviewed, already, not_printed, complete, remaining)


def _keys_in(project: Project, chapters: set[str]) -> list[Key]:
    """The messages of the chosen chapters ("" = outside chapters), all when none is chosen."""
    found: dict[Key, None] = {}
    for seg in project.segments:
        if not chapters or seg.chapter in chapters:
            found[seg.key] = None
    if not chapters or "" in chapters:
        found.update(dict.fromkeys(u.key for u in project.ui))
    return list(found)
