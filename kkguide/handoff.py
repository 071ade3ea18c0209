"""Hand-off to translators: export a catalog (PO, or XLIFF 1.2 for CAT tools) and import the
returned file through the same checks the build uses. Nothing is dropped or replaced silently:
every unit that is not taken is reported with file:line and the reason.

XLIFF is read and written through translate-toolkit's XLIFF store (the one Weblate uses):
- export: ``approved="yes"`` and ``state="translated"`` (``signed-off`` once reviewed) for done
  units, ``needs-review-translation`` for fuzzy ones, nothing for new ones; notes
  ``from="developer"`` (role, chapter and section, the neighbouring German, the previous German
  of a changed message) and ``from="translator"`` (PO translator comments); ``po-reference``
  context groups with file and line, ``po-entry`` ones with the ``#.`` text and ``msgctxt``, so
  that ``xliff2po`` restores them; Markdown and fact references as inline codes (``<ph>`` for
  ``{{fact}}``, images and code, ``<g ctype="bold|italic|link">`` around emphasised and linked
  text), whose native code is taken from the German source by id on import.
- import: a unit's own ``<target>`` only (``<alt-trans>`` suggestions are never taken),
  segmented targets (``<mrk mtype="seg">``) joined and checked against ``<seg-source>``,
  ``state``/``approved`` honoured, ``<note>``s of the translator kept as PO translator comments,
  the translator's name and date recorded in the catalog header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import polib
from lxml import etree

from .catalogs import (Key, load_catalog, msgstr_line, parse_po, parse_review, po_file, roles_of, serialize,
                       set_review, validate)
from .checks import markup, problems
from .errors import KkguideError
from .files import ProjectFiles, decode_text, read_input
from .fsio import atomic_write
from .markdown import FACT_REF

FORMATS = ("po", "xliff")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
_SKELETON = (f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{XLIFF_NS}">'
             '<file original="guide.po" source-language="de" datatype="plaintext"><body/></file></xliff>')
DONE_STATES = {"translated", "signed-off", "final"}
# XLIFF 1.2 states that say the target is not finished
OPEN_STATES = {"new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-translation",
               "needs-review-adaptation", "needs-review-l10n"}
MAX_TRANSLATOR_CHARS = 200


# -- inline codes: Markdown and fact references as XLIFF placeholders --------------------------

@dataclass(frozen=True)
class Code:
    """One protected piece of a message: a standalone code (``ph``) or a pair (``g``)."""

    id: str
    kind: str          # "ph" or "g"
    ctype: str         # x-fact, image, x-code; bold, italic, link
    open: str          # the native Markdown: "{{kreis.phone}}", "**", "["
    close: str = ""    # pairs: "**", "](https://...)"


_INLINE = re.compile(r"""
    (?P<fact>\{\{\s*[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\s*\}\})
  | (?P<image>!\[[^\]]*\]\([^)\s]+\))
  | (?P<code>`[^`]+`)
  | (?P<linkopen>\[(?=[^\]\[]*\]\([^)\s]+\)))
  | (?P<linkclose>\]\([^)\s]+\))
  | (?P<escape>\\.)
  | (?P<bold>\*\*)
  | (?P<italic>\*)
""", re.VERBOSE)
_MARKUP_COUNT = {"bold": "strong_open", "italic": "em_open", "link": "link_open", "image": "image",
                 "x-fact": "fact_ref", "x-code": "code_inline"}

Piece = "str | tuple[str, Code]"   # text, or ("ph"|"open"|"close", code)


def split_codes(text: str) -> list:
    """``text`` as a list of plain strings and ("ph" | "open" | "close", Code) items; joining the
    native code and text gives ``text`` back exactly. Where the regular split does not agree
    with markdown-it's reading of the text (an unusual use of ``*`` or brackets), only the fact
    references are protected: nothing is guessed."""
    pieces = _split(text, full=True)
    if pieces is None or not _agrees(text, pieces):
        pieces = _split(text, full=False)
    return pieces


def _split(text: str, full: bool) -> list | None:
    pieces: list = []
    stack: list[tuple[str, int]] = []       # open pairs: (ctype, index in pieces)
    count = 0
    pos = 0
    for match in _INLINE.finditer(text):
        kind = match.lastgroup
        if not full and kind != "fact":
            continue
        if kind == "escape":
            continue
        if match.start() > pos:
            pieces.append(text[pos:match.start()])
        pos = match.end()
        token = match.group()
        if kind in ("fact", "image", "code"):
            count += 1
            ctype = {"fact": "x-fact", "image": "image", "code": "x-code"}[kind]
            pieces.append(("ph", Code(str(count), "ph", ctype, token)))
        elif kind == "linkopen" or (kind in ("bold", "italic") and not (stack and stack[-1][0] == kind)):
            count += 1
            ctype = "link" if kind == "linkopen" else kind
            stack.append((kind if kind != "linkopen" else "link", len(pieces)))
            pieces.append(("open", Code(str(count), "g", ctype, token)))
        else:  # a closing bold/italic, or the "](url)" of a link
            want = "link" if kind == "linkclose" else kind
            if not stack or stack[-1][0] != want:
                return None
            _, at = stack.pop()
            opened = pieces[at][1]
            code = Code(opened.id, "g", opened.ctype, opened.open, token)
            pieces[at] = ("open", code)
            pieces.append(("close", code))
    if stack:
        return None
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


def _agrees(text: str, pieces: list) -> bool:
    """The split finds exactly the emphasis, links, images, code and references markdown-it sees."""
    found: dict[str, int] = {}
    for piece in pieces:
        if isinstance(piece, tuple) and piece[0] in ("ph", "open"):
            name = _MARKUP_COUNT[piece[1].ctype]
            found[name] = found.get(name, 0) + 1
    seen: dict[str, int] = {}
    for (name, _target), number in markup(text).items():
        seen[name] = seen.get(name, 0) + number
    return found == seen


def codes_of(text: str) -> dict[str, Code]:
    return {p[1].id: p[1] for p in split_codes(text) if isinstance(p, tuple)}


def _fill(element: etree._Element, pieces: list, ns: str) -> None:
    """Put text and inline codes into an (empty) <source> or <target>."""
    stack = [element]
    last: etree._Element | None = None

    def add_text(text: str) -> None:
        if last is not None and last.getparent() is stack[-1]:
            last.tail = (last.tail or "") + text
        else:
            stack[-1].text = (stack[-1].text or "") + text

    for piece in pieces:
        if isinstance(piece, str):
            add_text(piece)
            continue
        what, code = piece
        if what == "ph":
            last = etree.SubElement(stack[-1], f"{{{ns}}}ph", id=code.id, ctype=code.ctype)
            last.text = code.open
        elif what == "open":
            group = etree.SubElement(stack[-1], f"{{{ns}}}g", id=code.id, ctype=code.ctype)
            stack.append(group)
            last = None
        else:
            last = stack.pop()


@dataclass
class _Reading:
    text: list[str] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_inline(element: etree._Element, codes: dict[str, Code]) -> tuple[str, list[str]]:
    """A <source> or <target> as Markdown text: inline codes are replaced by the native code of
    the German source with the same id; whatever cannot be mapped is a problem, never guessed."""
    state = _Reading()
    _walk(element, codes, state)
    for cid, code in codes.items():
        shown = code.open + ("…" + code.close if code.close else "")
        if state.used.get(cid, 0) == 0:
            state.problems.append(f"placeholder {cid} ({shown}) is missing")
        elif state.used[cid] > 1:
            state.problems.append(f"placeholder {cid} ({shown}) is used {state.used[cid]} times")
    return "".join(state.text), state.problems


def _walk(element: etree._Element, codes: dict[str, Code], state: _Reading) -> None:
    state.text.append(element.text or "")
    for child in element:
        if not isinstance(child.tag, str):        # a comment or processing instruction
            state.text.append(child.tail or "")
            continue
        tag = etree.QName(child).localname
        paired = tag in ("bx", "ex", "bpt", "ept")
        cid = (child.get("rid") if paired else None) or child.get("id") or ""
        code = codes.get(cid)
        if tag == "mrk":                           # segments and other marks: their content counts
            _walk(child, codes, state)
        elif tag in ("ph", "x") and code is not None and code.kind == "ph":
            content = "".join(child.itertext())
            if tag == "ph" and content and content != code.open:
                state.problems.append(f"placeholder {cid} was changed from {code.open!r} to {content!r}")
            state.used[cid] = state.used.get(cid, 0) + 1
            state.text.append(code.open)
        elif tag == "g" and code is not None and code.kind == "g":
            state.used[cid] = state.used.get(cid, 0) + 1
            state.text.append(code.open)
            _walk(child, codes, state)
            state.text.append(code.close)
        elif tag in ("bx", "bpt") and code is not None and code.kind == "g":
            state.used[cid] = state.used.get(cid, 0) + 1
            state.text.append(code.open)
        elif tag in ("ex", "ept") and code is not None and code.kind == "g":
            state.text.append(code.close)
        elif tag in ("ph", "x", "g", "bx", "ex", "bpt", "ept", "it"):
            state.problems.append(f"placeholder <{tag} id=\"{cid}\"> is not one of the source's")
            state.text.append("".join(child.itertext()) if tag == "g" else "")
        else:
            state.problems.append(f"inline element <{tag}> is not supported")
        state.text.append(child.tail or "")


# -- units coming back ------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """One message as it comes back from a translator."""

    msgid: str
    msgstr: str
    needs_review: bool
    line: int
    context: str | None = None            # msgctxt, where the file says it
    locations: tuple[str, ...] = ()       # "file:line" the file names for the unit
    notes: tuple[str, ...] = ()           # the translator's notes / PO translator comments
    problems: tuple[str, ...] = ()        # found while reading (broken placeholders, missing segments)
    key: Key | None = None                # known from kkguide's own unit id


@dataclass(frozen=True)
class Returned:
    units: tuple[Unit, ...]
    translator: str = ""
    date: str = ""


@dataclass(frozen=True)
class ImportReport:
    imported: int
    unchanged: int
    empty: int
    problems: tuple[str, ...] = ()   # "file:line: lang: reason" lines
    translator: str = ""
    notes: int = 0                   # translator notes kept as PO translator comments


def unit_id(key: Key) -> str:
    return "kk" + hashlib.sha256(f"{key.context or ''}\x04{key.msgid}".encode("utf-8")).hexdigest()[:16]


def read_returned(path: Path, shown: str, messages: Iterable[Key]) -> Returned:
    """The units of a returned PO or XLIFF file, read through the door for named inputs: its bytes
    are parsed, never handed to a library that could take them for a path."""
    data = read_input(path, "returned")
    if data.lstrip().startswith(b"<"):
        return _read_xliff(data, shown, {unit_id(k): k for k in messages})
    return _read_po(data, shown)


def _read_po(data: bytes, shown: str) -> Returned:
    text = decode_text(data, shown)
    validate(text, shown)
    po = parse_po(text, shown)
    lines = text.split("\n")
    units = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        _review, notes = parse_review(entry)
        units.append(Unit(entry.msgid, entry.msgstr, "fuzzy" in entry.flags, msgstr_line(lines, entry.linenum),
                          context=entry.msgctxt, locations=tuple(f"{f}:{n}" if n else f for f, n in entry.occurrences),
                          notes=tuple(n for n in notes if n.strip())))
    translator = po.metadata.get("Last-Translator", "").strip()
    return Returned(tuple(units), translator, po.metadata.get("PO-Revision-Date", "").strip())


def _safe_tree(data: bytes, shown: str) -> None:
    """Well-formed, and no DOCTYPE: entity declarations can read files or expand without limit."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        message = re.sub(r",? line \d+, column \d+$", "", str(exc.msg))
        raise KkguideError(f"invalid XLIFF: {message}", shown, exc.lineno) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        at = data.find(b"<!DOCTYPE")
        raise KkguideError("XLIFF with a DOCTYPE or entity declarations is not accepted "
                           "(entities can read files or expand without limit)", shown,
                           data[:at].count(b"\n") + 1 if at >= 0 else 1)
    root = tree.getroot()
    if etree.QName(root).localname != "xliff" or not (root.get("version") or "").startswith("1."):
        raise KkguideError("not an XLIFF 1.x file (expected <xliff version=\"1.2\">)", shown, root.sourceline)


def _read_xliff(data: bytes, shown: str, ids: dict[str, Key]) -> Returned:
    from translate.storage import xliff

    _safe_tree(data, shown)
    try:
        store = xliff.xlifffile.parsestring(data)
    except Exception as exc:  # noqa: BLE001 - translate-toolkit raises many kinds for broken files
        raise KkguideError(f"invalid XLIFF: {exc}", shown) from None
    units = []
    for tu in store.units:
        if tu.isheader():
            continue
        units.append(_xliff_unit(tu, ids))
    translator, date = _translator(store.document.getroot())
    return Returned(tuple(units), translator, date)


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name), None)


def _xliff_unit(tu, ids: dict[str, Key]) -> Unit:
    element = tu.xmlelement
    key = ids.get(element.get("id") or "")
    source_el, target_el = _child(element, "source"), _child(element, "target")
    line = (target_el if target_el is not None else element).sourceline
    if source_el is None:
        return Unit("", "", True, element.sourceline, problems=("trans-unit without <source>",))
    codes = codes_of(key.msgid) if key is not None else {}
    source, source_problems = read_inline(source_el, codes)
    found: list[str] = []
    if key is None or source != key.msgid or source_problems:
        key = None                       # not kkguide's unit, or its German changed: match by text
        source, unmapped = read_inline(source_el, {})
        found += [f"source: {p} (kkguide maps only the placeholders of its own export)" for p in unmapped]
    context = element.get("resname") or _po_context(element)
    msgstr = ""
    if target_el is not None:
        # the target must carry as tags what the source carries as tags; text stays text
        tagged = {c.get("id") for c in source_el.iter() if isinstance(c.tag, str) and c is not source_el
                  and etree.QName(c).localname in ("ph", "g", "x", "bx", "bpt")}
        codes = {cid: code for cid, code in codes_of(source).items() if cid in tagged}
        msgstr, target_problems = read_inline(target_el, codes)
        found += target_problems + _missing_segments(element, target_el)
    state = target_el.get("state", "") if target_el is not None else ""
    done = (tu.isapproved() or state in DONE_STATES) and state not in OPEN_STATES
    notes = tuple(" ".join((n.text or "").split()) for n in element
                  if isinstance(n.tag, str) and etree.QName(n).localname == "note"
                  and n.get("from", "") not in ("developer", "kkguide") and (n.text or "").strip())
    return Unit(source, msgstr, not done, line, context=context, locations=tuple(tu.getlocations()),
                notes=notes, problems=tuple(found), key=key)


def _po_context(element: etree._Element) -> str | None:
    for context in element.iter(f"{{{element.nsmap.get(None, XLIFF_NS)}}}context"):
        if context.get("context-type") == "x-po-msgctxt" and context.getparent().getparent() is element:
            return context.text or ""
    return None


def _missing_segments(unit: etree._Element, target: etree._Element) -> list[str]:
    """Segmented units (memoQ, Trados, Okapi): every segment of <seg-source> needs its target."""
    seg_source = _child(unit, "seg-source")
    if seg_source is None:
        return []
    wanted = [m.get("mid") for m in seg_source.iter() if isinstance(m.tag, str) and etree.QName(m).localname == "mrk"
              and m.get("mtype") == "seg" and "".join(m.itertext()).strip()]
    have = {m.get("mid"): "".join(m.itertext()).strip() for m in target.iter()
            if isinstance(m.tag, str) and etree.QName(m).localname == "mrk" and m.get("mtype") == "seg"}
    if not have:
        return []                         # an unsegmented target for a segmented source: whole text
    return [f"segment {mid} has no translation" for mid in wanted if not have.get(mid)]


def _translator(root: etree._Element) -> tuple[str, str]:
    """Who translated, and when: XLIFF 1.2 <phase contact-name date> (last one), else <file date>."""
    name, date = "", ""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname
        if tag == "phase" and element.get("contact-name"):
            name, date = element.get("contact-name", ""), element.get("date", "") or date
        elif tag == "file" and element.get("date") and not date:
            date = element.get("date", "")
    return " ".join(name.split()), date


# -- merge into the catalog ------------------------------------------------------------------

def _find(unit: Unit, by_key: dict[Key, polib.POEntry], places: dict[Key, set[str]]) -> tuple[polib.POEntry | None, str]:
    """The catalog entry a unit belongs to, and why none when there is none."""
    if unit.key is not None and unit.key in by_key:
        return by_key[unit.key], ""
    if unit.context is not None:
        entry = by_key.get(Key(unit.context or None, unit.msgid))
        return (entry, "") if entry is not None else (None, "not a message of the current guide "
                                                      "(the German text changed since export?)")
    candidates = [k for k in by_key if k.msgid == unit.msgid]
    if len(candidates) == 1:
        return by_key[candidates[0]], ""
    if not candidates:
        return None, "not a message of the current guide (the German text changed since export?)"
    named = [k for k in candidates if places.get(k, set()) & set(unit.locations)]
    if len(named) == 1:
        return by_key[named[0]], ""
    roles = ", ".join(sorted(k.context or "-" for k in candidates))
    return None, f"this German text has several roles ({roles}) and the unit names none of them (msgctxt or location)"


def merge_units(po: polib.POFile, units: Sequence[Unit], lang: str, shown: str) -> ImportReport:
    """Take every usable unit into ``po``; report every other one."""
    imported = unchanged = empty = notes_kept = 0
    found: list[str] = []
    by_key = {Key(e.msgctxt, e.msgid): e for e in po if not e.obsolete and e.msgid}
    places = {k: {f"{f}:{n}" if n else f for f, n in e.occurrences} for k, e in by_key.items()}
    taken: dict[int, int] = {}
    for unit in units:
        where = f"{shown}:{unit.line}: {lang}"
        if unit.problems:
            found.extend(f"{where}: {p}" for p in unit.problems)
            continue
        entry, why = _find(unit, by_key, places)
        if entry is None:
            found.append(f"{where}: {why}")
            continue
        if id(entry) in taken:
            found.append(f"{where}: a second unit for the same message (the first is on line {taken[id(entry)]})")
            continue
        taken[id(entry)] = unit.line
        notes_kept += _keep_notes(entry, unit.notes)
        if not unit.msgstr.strip():
            empty += 1
            continue
        issues = problems(unit.msgid, unit.msgstr)
        if issues:
            found.extend(f"{where}: {issue}" for issue in issues)
            continue
        fuzzy = unit.needs_review
        if entry.msgstr == unit.msgstr and ("fuzzy" in entry.flags) == fuzzy:
            unchanged += 1
            continue
        if fuzzy and entry.msgstr and "fuzzy" not in entry.flags and entry.msgstr != unit.msgstr:
            found.append(f"{where}: returned as needing review, while the catalog has a confirmed translation: "
                         "kept the catalog's (confirm the unit to replace it)")
            continue
        if entry.msgstr != unit.msgstr:
            set_review(entry, None)
        entry.msgstr = unit.msgstr
        if fuzzy and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        elif not fuzzy and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = None
        imported += 1
    return ImportReport(imported, unchanged, empty, tuple(found), notes=notes_kept)


def _keep_notes(entry: polib.POEntry, notes: Sequence[str]) -> int:
    """The translator's notes as PO translator comments (each once; review lines untouched)."""
    review, lines = parse_review(entry)
    new = [n for n in notes if n not in lines]
    if not new:
        return 0
    lines += new
    entry.tcomment = "\n".join(lines)
    if review is not None:
        set_review(entry, review)
    return len(new)


def check_translator(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > MAX_TRANSLATOR_CHARS or any(ord(c) < 32 for c in name):
        raise KkguideError(f"translator name: at most {MAX_TRANSLATOR_CHARS} printable characters")
    return name


def import_file(files: ProjectFiles, code: str, returned: Path, translator: str = "",
                today: dt.date | None = None) -> ImportReport:
    """Merge a returned file into the catalog; the result is validated before it replaces it."""
    catalog = load_catalog(files, code)
    back = read_returned(returned, str(returned), catalog.entries.keys())
    po = parse_po(files.read_text(catalog.path, "catalog"), catalog.path)
    report = merge_units(po, back.units, code, str(returned))
    name = check_translator(translator or back.translator)
    if report.imported or report.notes:
        if name and report.imported:
            po.metadata["Last-Translator"] = name
            po.metadata["PO-Revision-Date"] = _po_date(back.date, today or dt.date.today())
        text = serialize(po, catalog.path)
        validate(text, catalog.path)
        atomic_write(files.locate(catalog.path, "catalog"), text.encode("utf-8"))
    return ImportReport(report.imported, report.unchanged, report.empty, report.problems, name, report.notes)


def _po_date(given: str, today: dt.date) -> str:
    """A PO-Revision-Date from the returned file's date (ISO 8601 or PO style), else today."""
    match = re.match(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)", given)
    return f"{match.group(1)} {match.group(2)}+0000" if match else f"{today.isoformat()} 00:00+0000"


# -- export ------------------------------------------------------------------------------------

def _neighbours(project) -> dict[Key, tuple[str, str]]:
    """The German before and after each message, within its chapter."""
    found: dict[Key, tuple[str, str]] = {}
    segments = [s for s in project.segments if s.chapter]
    for i, seg in enumerate(segments):
        before = segments[i - 1].msgid if i and segments[i - 1].chapter == seg.chapter else ""
        after = segments[i + 1].msgid if i + 1 < len(segments) and segments[i + 1].chapter == seg.chapter else ""
        found.setdefault(seg.key, (before, after))
    return found


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def export_xliff(po: polib.POFile, lang: str, source_lang: str, neighbours: dict[Key, tuple[str, str]]) -> str:
    """XLIFF 1.2 through translate-toolkit's store."""
    from translate.storage import xliff

    store = xliff.xlifffile.parsestring(_SKELETON.encode("utf-8"))
    filenode = next(store.document.getroot().iterchildren(f"{{{XLIFF_NS}}}file"))
    filenode.set("original", po_file(lang))
    filenode.set("source-language", source_lang)
    filenode.set("target-language", lang)
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        key = Key(entry.msgctxt, entry.msgid)
        tu = store.addsourceunit("", po_file(lang))
        tu.setid(unit_id(key))
        if entry.msgctxt:
            tu.xmlelement.set("resname", entry.msgctxt)
        element = tu.xmlelement
        _fill(_child(element, "source"), split_codes(entry.msgid), XLIFF_NS)
        review, translator_notes = parse_review(entry)
        if entry.msgstr:
            target = etree.SubElement(element, f"{{{XLIFF_NS}}}target")
            _fill(target, split_codes(entry.msgstr), XLIFF_NS)
            if "fuzzy" in entry.flags:
                target.set("state", "needs-review-translation")
                tu.markapproved(False)
            else:
                target.set("state", "signed-off" if review else "translated")
                tu.markapproved(True)
        for note in _developer_notes(entry, neighbours.get(key, ("", ""))):
            tu.addnote(note, origin="developer")
        for note in translator_notes:
            tu.addnote(note, origin="translator")
        # context-group names are unique within a <file> (XLIFF 1.2 strict schema)
        for number, (path, line) in enumerate(entry.occurrences, 1):
            contexts = [("sourcefile", path)] + ([("linenumber", line)] if line else [])
            tu.createcontextgroup(f"{unit_id(key)}-location-{number}", contexts, purpose="location")
        info = [("x-po-autocomment", entry.comment)] if entry.comment else []
        info += [("x-po-msgctxt", entry.msgctxt)] if entry.msgctxt else []
        if info:
            tu.createcontextgroup(f"{unit_id(key)}-po-entry", info, purpose="information")
    etree.cleanup_namespaces(store.document.getroot())
    return bytes(store).decode("utf-8")


def _developer_notes(entry: polib.POEntry, around: tuple[str, str]) -> list[str]:
    notes = [line for line in (entry.comment or "").split("\n") if line]
    if entry.msgctxt:
        notes.append(f"This German text also stands elsewhere in another role; here it is the {entry.msgctxt}.")
    before, after = around
    if before:
        notes.append(f"German before: {_short(before)}")
    if after:
        notes.append(f"German after: {_short(after)}")
    if entry.previous_msgid and "fuzzy" in entry.flags:
        notes.append(f"Previous German (the translation was made for this): {entry.previous_msgid}")
    if any(isinstance(p, tuple) for p in split_codes(entry.msgid)):
        notes.append("Tags are Markdown (bold, italic, links) and facts ({{...}}) kkguide fills in: "
                     "keep every tag, move it where the sentence needs it.")
    return notes


def export_catalog(project, code: str, fmt: str, folder: Path) -> tuple[Path, int]:
    """Write ``guide-<code>.po`` or ``.xlf`` into ``folder``; returns it and the number of
    messages still to translate or review. The catalog must hold every current message."""
    files = project.config.files
    catalog = load_catalog(files, code)  # validates
    stale = project.messages - set(catalog.entries)
    if stale:
        raise KkguideError(f"{len(stale)} message(s) of the guide are not in the catalog yet: "
                           "run 'kkguide update' first", catalog.path)
    text = files.read_text(catalog.path, "catalog")
    if fmt == "xliff":
        po = parse_po(text, catalog.path)
        text = export_xliff(po, code, project.config.source_language.code, _neighbours(project))
    target = folder / f"guide-{code}.{'po' if fmt == 'po' else 'xlf'}"
    atomic_write(target, text.encode("utf-8"))
    todo = sum(1 for e in catalog.entries.values() if e.key in project.messages and (not e.msgstr or e.fuzzy))
    return target, todo


__all__ = ["FORMATS", "ImportReport", "Unit", "export_catalog", "import_file", "merge_units", "read_returned",
           "roles_of", "split_codes", "unit_id"]
