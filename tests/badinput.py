"""Every bad input kkguide is tried with: how to make it, and the line the user must see.

Used by tests/test_errors.py and by scripts/bad-input-table.py, which writes docs/bad-input.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return change


def _edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: replace(root / rel, old, new)


def _truncate_po(root: Path) -> None:
    path = root / "translations/ar/LC_MESSAGES/guide.po"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b'msgid "Anmelden"') + 12])


def _not_utf8(root: Path) -> None:
    path = root / "translations/ar/LC_MESSAGES/guide.po"
    path.write_bytes(path.read_bytes().replace(b'Feuerwehr"', "Feuerwehr\xe4\"".encode("latin-1"), 1))


def _append_chapter(text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / "chapters/02-notruf.md"
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return change


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    expected: str                      # the start of the one line the user sees
    args: tuple[str, ...] = field(default=())


CASES = [
    Case("broken YAML front matter", _edit("chapters/01-anmelden.md", "title: Anmelden", "title: [Anmelden"),
         "chapters/01-anmelden.md:4: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line 3)"),
    Case("unknown key in front matter", _edit("chapters/01-anmelden.md", "order: 1", "order: 1\nauthor: x"),
         "chapters/01-anmelden.md:5: unknown key 'author' (allowed: id, order, summary, title)"),
    Case("front matter not closed", _edit("chapters/01-anmelden.md", "summary: Wo Sie Ihre Wohnung anmelden.\n---", "summary: x"),
         "chapters/01-anmelden.md:1: front matter is not closed with '---'"),
    Case("duplicate chapter id", _edit("chapters/02-notruf.md", "id: emergency", "id: registration"),
         "chapters/02-notruf.md:2: duplicate chapter id 'registration' (also in chapters/01-anmelden.md)"),
    Case("malformed guide.yml", _edit("guide/guide.yml", "title: Willkommen im Testkreis", "title: 'Willkommen"),
         "guide/guide.yml:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar that starts on line 1)"),
    Case("unknown key in guide.yml", _edit("guide/guide.yml", "subtitle:", "subtitel: x\nsubtitle:"),
         "guide/guide.yml:2: unknown key 'subtitel'"),
    Case("malformed contacts.yml", _edit("guide/contacts.yml", "  phone: 02821 85-0", "  phone: [02821 85-0"),
         "guide/contacts.yml:5: invalid YAML"),
    Case("unknown key in contacts.yml", _edit("guide/contacts.yml", "  phone: 02821 85-0", "  phone: 02821 85-0\n  mobil: 0171 1"),
         "guide/contacts.yml:5: unknown key 'mobil'"),
    Case("not a phone number in contacts.yml", _edit("guide/contacts.yml", "  phone: 02821 85-0", "  phone: zwei"),
         "guide/contacts.yml:4: 'zwei' is not a valid phone"),
    Case("unknown fact reference", _edit("chapters/02-notruf.md", "{{fire.phone}}", "{{fire.fax}}"),
         "chapters/02-notruf.md:12: unknown fact reference {{fire.fax}} (not in guide/contacts.yml)"),
    Case("invalid .po (unterminated string)", _edit("translations/ar/LC_MESSAGES/guide.po", 'msgid "Anmelden"', 'msgid "Anmelden'),
         "translations/ar/LC_MESSAGES/guide.po:"),
    Case("truncated .po", _truncate_po, "translations/ar/LC_MESSAGES/guide.po:"),
    Case(".po not UTF-8", _not_utf8, "translations/ar/LC_MESSAGES/guide.po:"),
    Case("chapter not UTF-8", lambda root: (root / "chapters/02-notruf.md").write_bytes(
        (root / "chapters/02-notruf.md").read_bytes().replace("Im Notfall".encode(), "Im Notfall \xe4".encode("latin-1"), 1)),
         "chapters/02-notruf.md:3: file is not valid UTF-8 text"),
    Case(".po for a language the guide does not list", _write("translations/xx/LC_MESSAGES/guide.po", ""),
         "translations/xx/LC_MESSAGES/guide.po: catalog for language 'xx', which guide/guide.yml does not list"),
    Case("unknown language on the command line", lambda root: None,
         "guide/guide.yml:7: unknown language 'xx' (this guide has: de, ar)", ("--lang", "xx")),
    Case("unknown edition on the command line", lambda root: None,
         "guide/guide.yml:9: unknown edition 'poster' (this guide has: screen)", ("--edition", "poster")),
    Case("missing image", _edit("chapters/01-anmelden.md", "images/willkommen.svg", "images/fehlt.svg"),
         "chapters/01-anmelden.md:15: image not found: guide/images/fehlt.svg"),
    Case("corrupt image", _write("guide/images/willkommen.svg", "<svg><g></svg>"),
         "chapters/01-anmelden.md:15: image guide/images/willkommen.svg cannot be used: not valid SVG"),
    Case("character no font can show", _edit("chapters/02-notruf.md", "Wer hilft?", "Wer hilft? \ue000"),
         "styles/guide.css: de: no glyph for U+E000"),
    Case("a 10 MB chapter", _append_chapter("\n" + "Wort " * 2_000_000 + "\n"),
         "chapters/02-notruf.md: chapter of 10,000,323 bytes is larger than the limit of 262,144 bytes"),
    Case("a paragraph of 5,000 characters", _append_chapter("\n" + "Wort " * 1_000 + "\n"),
         "chapters/02-notruf.md:18: paragraph of 4,999 characters (at most 4,000): split it into shorter paragraphs"),
    Case("glossary names a language the guide does not list",
         _write("guide/glossary.yml", "Bürgerbüro:\n  ar: مكتب\n  xx: nope\n"),
         "guide/glossary.yml:3: 'Bürgerbüro' names language 'xx', which guide/guide.yml does not list"),
    Case("glossary term without translations", _write("guide/glossary.yml", "Bürgerbüro: 3\n"),
         "guide/glossary.yml:1: 'Bürgerbüro' must map language codes to translations"),
    Case("a chapter of 10,000 list items", _append_chapter("\n" + "".join(f"- Punkt {i}\n" for i in range(10_000))),
         "chapters/02-notruf.md:1509: 10,009 translatable blocks (at most 1,500): split the chapter"),
]
