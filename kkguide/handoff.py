"""Hand-off to translators: export a catalog (PO with context, or XLIFF 1.2 for CAT tools) and
import the returned file through the same checks the build uses. Nothing is dropped silently:
every unit that is not taken is reported with file:line and the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import polib

from .catalogs import load_catalog, msgstr_line, parse_po, po_file, validate
from .fsio import atomic_write
from .checks import problems
from .errors import KkguideError
from .files import ProjectFiles, decode_text, read_input

FORMATS = ("po", "xliff")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"


@dataclass(frozen=True)
class Unit:
    """One message as it comes back from a translator."""

    msgid: str
    msgstr: str
    needs_review: bool
    line: int


@dataclass(frozen=True)
class ImportReport:
    imported: int
    unchanged: int
    empty: int
    problems: tuple[str, ...] = field(default=())   # "file:line: lang: reason" lines


def unit_id(msgid: str) -> str:
    return hashlib.sha1(msgid.encode("utf-8")).hexdigest()[:16]


def export_xliff(po: polib.POFile, lang: str, source_lang: str) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<xliff version="1.2" xmlns="{XLIFF_NS}">',
           f'  <file original="{po_file(lang)}" source-language="{source_lang}" target-language="{lang}" datatype="plaintext">',
           "    <body>"]
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        state = "new" if not entry.msgstr else ("needs-review-translation" if "fuzzy" in entry.flags else "translated")
        where = ", ".join(path for path, _ in entry.occurrences)
        note = f"{entry.comment} ({where}). Keep {{{{...}}}} references and **bold** as they are."
        out += [f'      <trans-unit id="{unit_id(entry.msgid)}" xml:space="preserve">',
                f"        <source>{escape(entry.msgid)}</source>",
                f"        <target state={quoteattr(state)}>{escape(entry.msgstr)}</target>",
                f"        <note from=\"kkguide\">{escape(note)}</note>",
                "      </trans-unit>"]
    out += ["    </body>", "  </file>", "</xliff>", ""]
    return "\n".join(out)


def read_units(path: Path, shown: str) -> list[Unit]:
    """The units of a returned file, read through the door for named inputs: its bytes are parsed,
    never handed to a library that could take them for a path."""
    data = read_input(path, "returned")
    if data.lstrip().startswith(b"<"):
        return _read_xliff(data, shown)
    text = decode_text(data, shown)
    po = parse_po(text, shown)
    lines = text.split("\n")
    units = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        units.append(Unit(entry.msgid, entry.msgstr, "fuzzy" in entry.flags, msgstr_line(lines, entry.linenum)))
    return units


def _read_xliff(data: bytes, shown: str) -> list[Unit]:
    parser = expat.ParserCreate(namespace_separator=" ")
    units: list[Unit] = []
    state: dict = {"path": [], "text": [], "unit": None}

    def start(name, attrs):
        tag = name.split(" ")[-1]
        state["path"].append(tag)
        if tag == "trans-unit":
            state["unit"] = {"line": parser.CurrentLineNumber, "source": None, "target": "", "state": ""}
        elif tag in ("source", "target"):
            state["text"] = []
            if tag == "target" and state["unit"] is not None:
                state["unit"]["state"] = attrs.get("state", "")
                state["unit"]["line"] = parser.CurrentLineNumber
        elif state["path"][-2:-1] in (["source"], ["target"]):
            raise KkguideError(f"inline element <{tag}> inside a segment is not supported", shown,
                               parser.CurrentLineNumber)

    def end(name):
        tag = name.split(" ")[-1]
        state["path"].pop()
        unit = state["unit"]
        if unit is not None and tag in ("source", "target"):
            unit[tag] = "".join(state["text"])
        elif tag == "trans-unit" and unit is not None:
            if unit["source"] is None:
                raise KkguideError("trans-unit without <source>", shown, unit["line"])
            units.append(Unit(unit["source"], unit["target"],
                              unit["state"] in ("needs-review-translation", "needs-translation", "new", "needs-adaptation",
                                                "needs-l10n", "needs-review-adaptation", "needs-review-l10n"),
                              unit["line"]))
            state["unit"] = None

    def refuse_dtd(*args):
        raise KkguideError("XLIFF with a DOCTYPE or entity declarations is not accepted "
                           "(entities can read files or expand without limit)", shown, parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda text: state["text"].append(text)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise KkguideError(f"invalid XLIFF: {expat.errors.messages[exc.code]}", shown, exc.lineno) from None
    return units


def merge_units(po: polib.POFile, units: list[Unit], lang: str, shown: str) -> ImportReport:
    """Take every usable unit into ``po``; report every other one."""
    imported = unchanged = empty = 0
    found = []
    by_id = {e.msgid: e for e in po if not e.obsolete and e.msgid}
    for unit in units:
        entry = by_id.get(unit.msgid)
        where = f"{shown}:{unit.line}: {lang}"
        if entry is None:
            found.append(f"{where}: not a message of the current guide (the German text changed since export?)")
            continue
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
        entry.msgstr = unit.msgstr
        if fuzzy and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        elif not fuzzy and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = None
        imported += 1
    return ImportReport(imported, unchanged, empty, tuple(found))


def export_catalog(project, code: str, fmt: str, folder: Path) -> tuple[Path, int]:
    """Write ``guide-<code>.po`` or ``.xlf`` into ``folder``; returns it and the number of
    messages still to translate or review. The catalog must hold every current message."""
    files = project.config.files
    catalog = load_catalog(files, code)  # validates
    stale = project.messages - set(catalog.entries)
    if stale:
        raise KkguideError(f"{len(stale)} message(s) of the guide are not in the catalog yet: "
                           "run 'kkguide update' first", catalog.path)
    po = parse_po(files.read_text(catalog.path, "catalog"), catalog.path)
    text = str(po) + "\n" if fmt == "po" else export_xliff(po, code, project.config.source_language.code)
    target = folder / f"guide-{code}.{'po' if fmt == 'po' else 'xlf'}"
    atomic_write(target, text.encode("utf-8"))
    todo = sum(1 for e in catalog.entries.values() if e.msgid in project.messages and (not e.msgstr or e.fuzzy))
    return target, todo


def import_file(files: ProjectFiles, code: str, returned: Path) -> ImportReport:
    """Merge a returned file into the catalog; the result is validated before it replaces it."""
    catalog = load_catalog(files, code)
    units = read_units(returned, str(returned))
    po = parse_po(files.read_text(catalog.path, "catalog"), catalog.path)
    report = merge_units(po, units, code, str(returned))
    if report.imported:
        text = str(po) + "\n"
        validate(text, catalog.path)
        atomic_write(files.locate(catalog.path, "catalog"), text.encode("utf-8"))
    return report
