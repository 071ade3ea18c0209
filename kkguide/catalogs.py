"""Stage 4: the only gettext I/O. POT from segments, PO created/updated, PO loaded and validated.

One domain for the whole guide: ``translations/guide.pot`` and
``translations/<lang>/LC_MESSAGES/guide.po``. A paragraph that stands in two chapters is one
message, translated once; the same German in two *roles* (a cover title that is also a chapter
title) is one message per role, told apart by ``msgctxt`` (``segments.assign_contexts``).

PO conventions, chosen so that Poedit, Weblate and ``kkguide update`` write the same bytes:
- ``#.`` says what the block is and where it stands (chapter, section, table column), and that
  ``{{...}}`` references are copied unchanged; ``#:`` gives ``file:line`` of every occurrence.
- Wrapping is GNU gettext's default (79 columns), which translate-toolkit's writer (Weblate)
  and Poedit reproduce: every catalog kkguide writes goes through GNU ``msgcat`` or
  ``msgmerge``, never through polib's own wrapping. A tool's save is then a no-op diff.
- Per-message review: a translator comment ``# reviewed YYYY-MM-DD by NAME [hash]``; the hash
  covers msgctxt, msgid and msgstr, so a review is void as soon as the German or the
  translation changes (``update`` removes void ones).

Tools, and why:
- Reading PO text: polib (Babel 2.18's writer drops ``X-`` header fields, turns ``#|`` lines
  into translator comments and flags German prose with "%" as python-format).
- Updating a PO from the POT: GNU ``msgmerge --previous`` (keeps fuzzy/obsolete entries and
  restores a returning msgid from ``#~``; see shared/design/translation-workflow.md).
- Validating: GNU ``msgfmt -c`` on every catalog that is loaded, its first error is reported
  as ``file:line: message``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from .frozen import FrozenMap
from typing import Iterable, Mapping

import polib

from .config import GuideConfig, Language
from .errors import KkguideError
from .files import ProjectFiles, describe_char, find_control
from .fsio import atomic_write
from .markdown import FACT_REF
from .segments import LINK_ROLE, UI_ROLE, Key, Segment, UiMessage  # noqa: F401 - UiMessage is re-exported

POT_FILE = "translations/guide.pot"
REVIEW_HEADER = "X-Kkguide-Review"
DRAFT = "draft"
PLURAL_FORMS = {
    # gettext's own rules; Babel's Arabic rule differs from CLDR (Babel issue 816)
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "fr": "nplurals=2; plural=(n > 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "fa": "nplurals=2; plural=(n > 1);",
}
_DATE_LINE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.MULTILINE)
# the roles a `#.` line can name, longest first (older catalogs: "page furniture (cover, ...)")
ROLES = sorted(["guide title (cover)", "guide subtitle (cover)", "chapter title", "chapter summary", "heading",
                "paragraph", "list item", "tip", "table header cell", "table cell", "image alt text", UI_ROLE, LINK_ROLE],
               key=len, reverse=True)
UI_NOTE = "a short label on the cover, contents page, imprint or back cover; keep it short"
LINK_NOTE = ("what a screen reader says for a link to a phone number, e-mail or web address; "
             "%(value)s is the number or address: copy it unchanged")
FACT_NOTE = ("{{...}} stands for a phone number, e-mail, web or postal address that kkguide fills in: "
             "copy it unchanged")
_REVIEW = re.compile(r"^reviewed (?P<day>\d{4}-\d\d-\d\d) by (?P<name>.+) \[(?P<hash>[0-9a-f]{12})\]$")
MAX_REVIEWER_CHARS = 100
_MSGFMT_ERROR = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class Review:
    reviewer: str
    day: dt.date


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgstr: str
    fuzzy: bool
    line: int
    context: str | None = None
    review: Review | None = None     # a sign-off for exactly this msgid and msgstr

    @property
    def key(self) -> Key:
        return Key(self.context, self.msgid)


@dataclass(frozen=True)
class Catalog:
    lang: str
    path: str
    entries: Mapping[Key, Entry]
    review: str          # X-Kkguide-Review header: "draft", or what `kkguide review` last wrote


def po_file(lang: str) -> str:
    return f"translations/{lang}/LC_MESSAGES/guide.po"


def _header(config: GuideConfig) -> dict[str, str]:
    return {
        "Project-Id-Version": f"kkguide {config.title}",
        "POT-Creation-Date": f"{config.stand.isoformat()} 00:00+0000",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }


def roles_of(comment: str) -> set[str]:
    """The roles named by an entry's ``#.`` lines (kkguide's own, current and older)."""
    found = set()
    for line in comment.split("\n"):
        role = next((r for r in ROLES if line.startswith(r)), None)
        if role is not None:
            found.add(UI_ROLE if role.startswith(UI_ROLE) else role)
    return found


def make_template(config: GuideConfig, segments: Iterable[Segment], ui: Iterable[UiMessage]) -> str:
    """POT text: guide messages first, then each chapter's, then the templates' own strings."""
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = _header(config)
    by_key: dict[Key, polib.POEntry] = {}

    def add(key: Key, comment: str, path: str, line: int) -> None:
        entry = by_key.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=key.msgid, msgctxt=key.context, msgstr="", comment=comment, occurrences=[])
            by_key[key] = entry
            pot.append(entry)
        elif comment not in entry.comment.split("\n"):
            entry.comment += "\n" + comment
        where = (path, str(line) if line else "")   # line 0: a message of kkguide's code, by file
        if where not in entry.occurrences:
            entry.occurrences.append(where)

    for seg in segments:
        add(seg.key, f"{seg.kind}: {seg.where}" if seg.where else seg.kind, seg.path, seg.line)
    for msg in ui:
        add(msg.key, f"{msg.kind}: {LINK_NOTE if msg.kind == LINK_ROLE else UI_NOTE}", msg.path, msg.line)
    for entry in pot:
        if FACT_REF.search(entry.msgid):
            entry.comment += "\n" + FACT_NOTE
    return canonical(str(pot) + "\n", POT_FILE)


def canonical(text: str, shown: str) -> str:
    """The catalog as GNU gettext writes it (``msgcat``, default wrapping at 79 columns): the
    same bytes that translate-toolkit (Weblate) and Poedit write, so a save there is no diff."""
    _require("msgcat")
    proc = subprocess.run(["msgcat", "-o", "-", "-"], input=text.encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        raise _msgfmt_error(proc.stderr.decode("utf-8", "replace").replace("<stdin>", shown), shown)
    return proc.stdout.decode("utf-8")


def serialize(po: polib.POFile, shown: str) -> str:
    """A polib catalog as text, in GNU gettext's canonical form."""
    return canonical(str(po) + "\n", shown)


def _without_dates(text: str) -> str:
    return _DATE_LINE.sub("", text)


def write_if_changed(files: ProjectFiles, rel: str, text: str) -> bool:
    """Write ``text`` unless the file already says the same, header dates aside."""
    if files.is_file(rel, "catalog") and _without_dates(files.read_text(rel, "catalog")) == _without_dates(text):
        return False
    atomic_write(files.locate(rel, "catalog"), text.encode("utf-8"))
    return True


def parse_po(data: bytes | str, shown: str) -> polib.POFile:
    """polib for PO text that came through the one door. polib.pofile() takes its argument for a
    path whenever a file of that name exists, so it only ever gets a path of our own: a private
    temporary copy of the text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with tempfile.TemporaryDirectory(prefix="kkguide-po-") as tmp:
        path = Path(tmp) / "catalog.po"
        path.write_bytes(raw)
        try:
            return polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise KkguideError(f"invalid catalog: {exc}".replace(str(path), shown), shown) from None


def new_catalog(pot_text: str, lang: Language) -> str:
    """A fresh PO for ``lang`` from the template, marked as a draft."""
    po = parse_po(pot_text, POT_FILE)
    po.metadata.update({
        "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
        "Last-Translator": "",
        "Language-Team": "",
        "Language": lang.code,
        "Plural-Forms": PLURAL_FORMS.get(lang.code, "nplurals=2; plural=(n != 1);"),
        REVIEW_HEADER: DRAFT,
    })
    return serialize(po, po_file(lang.code))


# -- per-message review ---------------------------------------------------------------------

def review_hash(context: str | None, msgid: str, msgstr: str) -> str:
    data = "\x04".join([context or "", msgid, msgstr]).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:12]


def review_line(reviewer: str, day: dt.date, entry: polib.POEntry) -> str:
    return f"reviewed {day.isoformat()} by {reviewer} [{review_hash(entry.msgctxt, entry.msgid, entry.msgstr)}]"


def parse_review(entry: polib.POEntry) -> tuple[Review | None, list[str]]:
    """The entry's valid review (if any) and its translator comment lines without review lines."""
    review, others = None, []
    for line in (entry.tcomment or "").split("\n") if entry.tcomment else []:
        match = _REVIEW.match(line.strip())
        if match is None:
            others.append(line)
            continue
        if match["hash"] == review_hash(entry.msgctxt, entry.msgid, entry.msgstr) and "fuzzy" not in entry.flags:
            try:
                review = Review(match["name"], dt.date.fromisoformat(match["day"]))
            except ValueError:
                pass
    return review, others


def set_review(entry: polib.POEntry, review: Review | None) -> None:
    """Replace the entry's review lines by ``review`` (None: remove them); other comments stay."""
    _old, others = parse_review(entry)
    if review is not None:
        others.append(review_line(review.reviewer, review.day, entry))
    entry.tcomment = "\n".join(others)


def check_reviewer(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_REVIEWER_CHARS or find_control(name) or "[" in name or "]" in name:
        raise KkguideError(f"--reviewer must be a name of 1 to {MAX_REVIEWER_CHARS} printable characters "
                           "without square brackets")
    return name


def _drop_void_reviews(po: polib.POFile) -> bool:
    """Remove review lines that no longer match their message; True if any was removed."""
    changed = False
    for entry in po:
        review, others = parse_review(entry)
        kept = others + ([review_line(review.reviewer, review.day, entry)] if review else [])
        if "\n".join(kept) != (entry.tcomment or ""):
            entry.tcomment = "\n".join(kept)
            changed = True
    if changed and po.metadata.get(REVIEW_HEADER, DRAFT) != DRAFT:
        po.metadata[REVIEW_HEADER] = DRAFT
    return changed


# -- update ---------------------------------------------------------------------------------

def merge(po_text: str, pot_text: str, shown: str) -> str:
    """GNU msgmerge of a catalog's text with the template's; returns the merged text. Both come
    through the door and are handed to msgmerge as private copies."""
    _require("msgmerge")
    with tempfile.TemporaryDirectory(prefix="kkguide-merge-") as tmp:
        po, pot, out = Path(tmp) / "catalog.po", Path(tmp) / "guide.pot", Path(tmp) / "merged.po"
        po.write_text(po_text, encoding="utf-8")
        pot.write_text(pot_text, encoding="utf-8")
        proc = subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(out), str(po), str(pot)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise _msgfmt_error(proc.stderr.replace(str(po), shown).replace(str(pot), POT_FILE), shown)
        merged = out.read_text(encoding="utf-8")
    return _carry_over(merged, parse_po(po_text, shown), shown)


def _carry_over(text: str, old: polib.POFile, shown: str) -> str:
    """Confirm what msgmerge could only guess (fuzzy), where the translation is known to be right:

    - a paragraph edited, then put back: the previous msgid is its msgid again, the translation
      was made for exactly this text;
    - the same German split by role (msgctxt added, or dropped when the roles merge again): the
      old entry was confirmed and its ``#.`` lines named this role, so the translator saw it.
    Also removes reviews that no longer match their message."""
    known = {Key(e.msgctxt, e.msgid): e for e in old if e.msgid}
    po = parse_po(text, "merged catalog")
    changed = _drop_void_reviews(po)
    for entry in po:
        if not ("fuzzy" in entry.flags and entry.msgstr and entry.previous_msgid == entry.msgid):
            continue
        if entry.previous_msgctxt != entry.msgctxt:
            source = known.get(Key(entry.previous_msgctxt, entry.msgid))
            wanted = {entry.msgctxt} if entry.msgctxt else roles_of(entry.comment)
            have = {source.msgctxt} if source is not None and source.msgctxt else roles_of(source.comment if source else "")
            if source is None or "fuzzy" in source.flags or source.msgstr != entry.msgstr or not wanted <= have:
                continue
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
        changed = True
    return serialize(po, shown) if changed else text


def update_catalog(files: ProjectFiles, lang: Language) -> str:
    """Create or merge one language's catalog; the result is checked before it replaces the file.

    Returns "created", "updated" or "unchanged"."""
    shown = po_file(lang.code)
    existed = files.is_file(shown, "catalog")
    pot_text = files.read_text(POT_FILE, "catalog")
    if existed:
        current = files.read_text(shown, "catalog")
        validate(current, shown)
        text = merge(current, pot_text, shown)
    else:
        text = new_catalog(pot_text, lang)
    validate(text, shown)
    changed = write_if_changed(files, shown, text)
    return "updated" if existed and changed else ("unchanged" if existed else "created")


def validate(text: str, shown: str) -> None:
    """``msgfmt -c`` on the catalog's text (given on standard input, so the text checked is the
    text used): the first error becomes a KkguideError naming file and line."""
    _require("msgfmt")
    proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", "-"], input=text.encode("utf-8"),
                          capture_output=True)
    if proc.returncode != 0:
        raise _msgfmt_error(proc.stderr.decode("utf-8", "replace").replace("<stdin>", shown), shown)


MAX_TRANSLATION_CHARS = 16_000     # four times the longest German message kkguide accepts
TRANSLATION_RATIO = 5              # a translation at most 5 times as long as its source ...
TRANSLATION_SLACK = 400            # ... or this many characters, for very short sources


def load_catalog(files: ProjectFiles, lang: str) -> Catalog:
    shown = po_file(lang)
    if not files.is_file(shown, "catalog"):
        raise KkguideError(f"no catalog for language '{lang}' (run 'kkguide update')", shown)
    text = files.read_text(shown, "catalog")
    validate(text, shown)
    po = parse_po(text, shown)
    header_lang = po.metadata.get("Language", "")
    if header_lang.replace("-", "_") != lang.replace("-", "_"):
        raise KkguideError(f"catalog header says Language '{header_lang}', its folder says '{lang}'", shown, 1)
    lines = text.split("\n")
    entries = {}
    for e in po:
        if e.obsolete or not e.msgid:
            continue
        line = msgstr_line(lines, e.linenum)
        check_message(e.msgstr, shown, line, "translation", e.msgid)
        review, _ = parse_review(e)
        entry = Entry(e.msgid, e.msgstr, "fuzzy" in e.flags, line, e.msgctxt, review)
        entries[entry.key] = entry
    return Catalog(lang=lang, path=shown, entries=FrozenMap(entries),
                   review=po.metadata.get(REVIEW_HEADER, DRAFT))


def check_message(text: str, shown: str, line: int, what: str, source: str = "") -> None:
    """A translation within the length limits and free of control characters (escapes such as
    ``\\b`` or ``\\f`` in a PO string decode to them)."""
    if "\r" in text:
        raise KkguideError(f"{what}: carriage return (\\r) inside the text", shown, line)
    limit = min(MAX_TRANSLATION_CHARS, max(TRANSLATION_SLACK, TRANSLATION_RATIO * len(source)))
    if len(text) > limit:
        raise KkguideError(f"{what} of {len(text):,} characters for a source of {len(source):,} "
                           f"(at most {limit:,}: {TRANSLATION_RATIO} times the source, at least "
                           f"{TRANSLATION_SLACK}, never more than {MAX_TRANSLATION_CHARS:,})", shown, line)
    match = find_control(text)
    if match:
        raise KkguideError(f"{what}: {describe_char(match.group())}: control characters are not allowed", shown, line)


def msgstr_line(lines: list[str], start: int) -> int:
    """1-based line of the msgstr of the entry that polib says starts at ``start``."""
    for number in range(max(start - 1, 0), len(lines)):
        if lines[number].startswith("msgstr"):
            return number + 1
    return start


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        raise KkguideError(f"'{tool}' not found: install GNU gettext (Debian: apt-get install gettext)")


def _msgfmt_error(stderr: str, shown: str) -> KkguideError:
    for line in stderr.splitlines():
        match = _MSGFMT_ERROR.match(line.strip())
        if match and "warning:" not in match.group("msg"):
            return KkguideError(f"invalid catalog: {match.group('msg')}", match.group("file"),
                                int(match.group("line")))
    first = next((ln for ln in stderr.splitlines() if ln.strip()), "unknown error")
    return KkguideError(f"invalid catalog: {first}", shown)
