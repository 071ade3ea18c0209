"""Stage 4: the only gettext I/O. POT from segments, PO created/updated, PO loaded and validated.

One domain for the whole guide: ``translations/guide.pot`` and
``translations/<lang>/LC_MESSAGES/guide.po``. A paragraph that stands in two chapters is one
message, translated once.

Tools, and why:
- Reading and writing PO text: polib. Babel 2.18's writer drops ``X-`` header fields (we keep
  the review status there), turns ``#|`` previous-msgid lines into translator comments, and
  flags German prose with "%" as python-format, which then fails ``msgfmt -c``.
- Updating a PO from the POT: GNU ``msgmerge --previous`` (keeps fuzzy/obsolete entries and
  restores a returning msgid from ``#~``; see shared/design/translation-workflow.md).
- Validating: GNU ``msgfmt -c`` on every catalog that is loaded, its first error is reported
  as ``file:line: message``.
- ``#:`` locations carry the file only, no line numbers: moving a paragraph does not churn
  every catalog.
"""

from __future__ import annotations

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
from .segments import Segment

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
_MSGFMT_ERROR = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgstr: str
    fuzzy: bool
    line: int


@dataclass(frozen=True)
class Catalog:
    lang: str
    path: str
    entries: Mapping[str, Entry]
    review: str          # "draft" until a human reviewer signs off (X-Kkguide-Review header)

    @property
    def is_draft(self) -> bool:
        return self.review.strip().lower() == DRAFT


@dataclass(frozen=True)
class UiMessage:
    msgid: str
    path: str
    line: int


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


def make_template(config: GuideConfig, segments: Iterable[Segment], ui: Iterable[UiMessage]) -> str:
    """POT text: guide messages first, then each chapter's, then the templates' own strings."""
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = _header(config)
    by_id: dict[str, polib.POEntry] = {}

    def add(msgid: str, comment: str, path: str) -> None:
        entry = by_id.get(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="", comment=comment, occurrences=[])
            by_id[msgid] = entry
            pot.append(entry)
        elif comment not in entry.comment.split("\n"):
            entry.comment += "\n" + comment
        if (path, "") not in entry.occurrences:
            entry.occurrences.append((path, ""))

    for seg in segments:
        add(seg.msgid, seg.kind, seg.path)
    for msg in ui:
        add(msg.msgid, "page furniture (cover, contents, imprint)", msg.path)
    return str(pot) + "\n"


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
    return str(po) + "\n"


def merge(po_text: str, pot_text: str, shown: str) -> str:
    """GNU msgmerge of a catalog's text with the template's; returns the merged text. Both come
    through the door and are handed to msgmerge as private copies."""
    _require("msgmerge")
    with tempfile.TemporaryDirectory(prefix="kkguide-merge-") as tmp:
        po, pot, out = Path(tmp) / "catalog.po", Path(tmp) / "guide.pot", Path(tmp) / "merged.po"
        po.write_text(po_text, encoding="utf-8")
        pot.write_text(pot_text, encoding="utf-8")
        proc = subprocess.run(
            ["msgmerge", "--quiet", "--previous", "--no-wrap", "--add-location=file",
             "-o", str(out), str(po), str(pot)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise _msgfmt_error(proc.stderr.replace(str(po), shown).replace(str(pot), POT_FILE), shown)
        return _confirm_restored(out.read_text(encoding="utf-8"))


def _confirm_restored(text: str) -> str:
    """A fuzzy entry whose previous msgid is its msgid again (a paragraph edited, then put back)
    carries the translation made for exactly this text: it is translated, not fuzzy."""
    po = parse_po(text, "merged catalog")
    restored = [e for e in po if "fuzzy" in e.flags and e.previous_msgid == e.msgid
                and e.previous_msgctxt == e.msgctxt and e.msgstr]
    if not restored:
        return text
    for entry in restored:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
    return str(po) + "\n"


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
        entries[e.msgid] = Entry(e.msgid, e.msgstr, "fuzzy" in e.flags, line)
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
