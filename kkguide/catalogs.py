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


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already says the same, header dates aside."""
    if path.is_file() and _without_dates(path.read_text(encoding="utf-8")) == _without_dates(text):
        return False
    atomic_write(path, text.encode("utf-8"))
    return True


def new_catalog(pot_text: str, lang: Language) -> str:
    """A fresh PO for ``lang`` from the template, marked as a draft."""
    po = polib.pofile(pot_text, wrapwidth=0)
    po.metadata.update({
        "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
        "Last-Translator": "",
        "Language-Team": "",
        "Language": lang.code,
        "Plural-Forms": PLURAL_FORMS.get(lang.code, "nplurals=2; plural=(n != 1);"),
        REVIEW_HEADER: DRAFT,
    })
    return str(po) + "\n"


def merge(po_path: Path, pot_path: Path) -> str:
    """GNU msgmerge of an existing PO with the template; returns the merged text."""
    _require("msgmerge")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "merged.po"
        proc = subprocess.run(
            ["msgmerge", "--quiet", "--previous", "--no-wrap", "--add-location=file",
             "-o", str(out), str(po_path), str(pot_path)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise _msgfmt_error(proc.stderr, str(po_path))
        return _confirm_restored(out.read_text(encoding="utf-8"))


def _confirm_restored(text: str) -> str:
    """A fuzzy entry whose previous msgid is its msgid again (a paragraph edited, then put back)
    carries the translation made for exactly this text: it is translated, not fuzzy."""
    po = polib.pofile(text, wrapwidth=0)
    restored = [e for e in po if "fuzzy" in e.flags and e.previous_msgid == e.msgid
                and e.previous_msgctxt == e.msgctxt and e.msgstr]
    if not restored:
        return text
    for entry in restored:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
    return str(po) + "\n"


def update_catalog(root: Path, lang: Language, pot_path: Path) -> str:
    """Create or merge one language's catalog; the result is checked before it replaces the file.

    Returns "created", "updated" or "unchanged"."""
    shown = po_file(lang.code)
    path = root / shown
    existed = path.is_file()
    if existed:
        validate(path, shown)
        text = merge(path, pot_path)
    else:
        text = new_catalog(pot_path.read_text(encoding="utf-8"), lang)
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "guide.po"
        candidate.write_text(text, encoding="utf-8")
        validate(candidate, shown)
    changed = write_if_changed(path, text)
    return "updated" if existed and changed else ("unchanged" if existed else "created")


def validate(path: Path, shown: str) -> None:
    """``msgfmt -c``: the first error becomes a KkguideError naming file and line."""
    _require("msgfmt")
    proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise _msgfmt_error(proc.stderr.replace(str(path), shown), shown)


def load_catalog(root: Path, lang: str) -> Catalog:
    shown = po_file(lang)
    path = root / shown
    if not path.is_file():
        raise KkguideError(f"no catalog for language '{lang}' (run 'kkguide update')", shown)
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise KkguideError("catalog is not valid UTF-8", shown, line) from None
    validate(path, shown)
    po = polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
    header_lang = po.metadata.get("Language", "")
    if header_lang.replace("-", "_") != lang.replace("-", "_"):
        raise KkguideError(f"catalog header says Language '{header_lang}', its folder says '{lang}'", shown, 1)
    lines = path.read_text(encoding="utf-8").split("\n")
    entries = {
        e.msgid: Entry(e.msgid, e.msgstr, "fuzzy" in e.flags, msgstr_line(lines, e.linenum))
        for e in po if not e.obsolete and e.msgid
    }
    return Catalog(lang=lang, path=shown, entries=FrozenMap(entries),
                   review=po.metadata.get(REVIEW_HEADER, DRAFT))


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
