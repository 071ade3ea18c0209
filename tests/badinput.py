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


SECRET = "KKGUIDE-PLANTED-SECRET-7f3a9c"   # planted outside the project: must appear in no output


def _outside(root: Path, name: str, data: bytes | str) -> Path:
    """A file next to the project folder, outside it, holding the planted secret."""
    path = root.parent / "outside" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _symlink_out(rel: str, content: Callable[[Path], str | bytes]) -> Callable[[Path], None]:
    """Replace project file ``rel`` (or create it) by a symlink to a copy outside the project
    that carries the secret."""
    def change(root: Path) -> None:
        target = _outside(root, Path(rel).name, content(root))
        path = root / rel
        path.unlink(missing_ok=True)
        path.symlink_to(target)
    return change


def _with_secret(rel: str, old: str, new: str) -> Callable[[Path], str]:
    return lambda root: (root / rel).read_text(encoding="utf-8").replace(old, new, 1)


def _big_png(root: Path) -> None:
    from PIL import Image

    Image.new("1", (12_000, 12_000)).save(root / "guide/images/riesig.png", optimize=True)
    replace(root / "chapters/01-anmelden.md", "images/willkommen.svg", "images/riesig.png")


def _file_for_dist(root: Path) -> None:
    import shutil

    shutil.rmtree(root / "dist", ignore_errors=True)
    (root / "dist").write_text("not a folder")


def _returned(name: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root.parent / name).write_text(text.replace("{root}", str(root)), encoding="utf-8")
    return change


def _po_entry(old: str, new: str) -> Callable[[Path], None]:
    return _edit("translations/ar/LC_MESSAGES/guide.po", old, new)


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    expected: str                      # the start of the one line the user sees ({root}: the project)
    args: tuple[str, ...] = field(default=())
    verb: tuple[str, ...] = ("build",)   # the command the case is tried with

    def command(self, root: Path | str) -> list[str]:
        return [*self.verb, *(a.replace("{root}", str(root)) for a in self.args)]

    def line(self, root: Path | str) -> str:
        return self.expected.replace("{root}", str(root))


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
         "guide/contacts.yml:4: 'zwei' is not a valid phone number"),
    Case("invalid phone number (phonenumbers)", _edit("guide/contacts.yml", "  phone: 02821 85-0", "  phone: 02821 1"),
         "guide/contacts.yml:4: '02821 1' is not a valid phone number (phonenumbers: not a valid German number)"),
    Case("phone not in DIN 5008 form", _edit("guide/contacts.yml", "  phone: 02821 85-0", "  phone: 0282 185 0"),
         "guide/contacts.yml:4: '0282 185 0' is not written in DIN 5008 style: write '02821 850'"),
    Case("fact past its valid_until", _edit("guide/contacts.yml", "  verified_by: test author, against the fixture's "
                                            "own data\n", "  verified_by: test author, against the fixture's own data"
                                            "\n  valid_until: 2026-06-30\n"),
         "guide/contacts.yml:11: fact 'kreis' is past its valid_until 2026-06-30 (facts are judged as of 2026-12-15)"),
    Case("old 'checked' key in contacts.yml", _edit("guide/contacts.yml", "  state: verified\n  verified_on: 2026-01-10\n",
                                                    "  checked: 2026-01-10\n"),
         "guide/contacts.yml:8: 'checked' is no longer used: write 'state: verified' with 'verified_on' and 'verified_by'"),
    Case("verified fact without verified_on", _edit("guide/contacts.yml", "  verified_on: 2026-01-10\n", ""),
         "guide/contacts.yml:8: missing key 'verified_on': a verified fact says when and by whom it was compared"),
    Case("URL that is not https", _edit("guide/contacts.yml", "https://www.kreis-kleve.de", "http://www.kreis-kleve.de"),
         "guide/contacts.yml:6: 'http://www.kreis-kleve.de' is not an https:// address"),
    Case("invalid e-mail address", _edit("guide/contacts.yml", "info@kreis-kleve.de", "info@kreis-kleve"),
         "guide/contacts.yml:5: 'info@kreis-kleve' is not a valid e-mail address"),
    Case("reviewed guide with an unverified fact", lambda root: (
        _edit("guide/guide.yml", "source_language: de", "reviewed: true\nsource_language: de")(root),
        _edit("guide/contacts.yml", "  state: verified\n  verified_on: 2026-01-10\n  verified_by: test author, "
              "against the fixture's own data\n", "  state: unverified\n")(root)),
         "guide/guide.yml:6: 'reviewed: true', but 4 printed fact(s) are unverified or stale (first: kreis.phone"),
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
         "--lang xx: unknown language 'xx' (this guide has: de, ar; guide/guide.yml 'languages')", ("--lang", "xx")),
    Case("unknown edition on the command line", lambda root: None,
         "--edition poster: unknown edition 'poster' (this guide has: screen; guide/guide.yml 'editions')", ("--edition", "poster")),
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
    # files that lead outside the project (issue 11): refused before anything is read from them
    Case("chapter symlinked to a file outside the project",
         _symlink_out("chapters/03-geheim.md", lambda root: f"---\nid: secret\ntitle: {SECRET}\norder: 3\n"
                                                            f"summary: {SECRET}\n---\n\n{SECRET}\n"),
         "chapters/03-geheim.md: refused: chapter resolves to "),
    Case("contacts.yml symlinked outside the project",
         _symlink_out("guide/contacts.yml", _with_secret("guide/contacts.yml", "Kreisverwaltung Kleve", SECRET)),
         "guide/contacts.yml: refused: facts file resolves to "),
    Case("guide.yml symlinked outside the project",
         _symlink_out("guide/guide.yml", _with_secret("guide/guide.yml", "Ein kleiner Wegweiser", SECRET)),
         "guide/guide.yml: refused: guide configuration resolves to "),
    Case("catalog symlinked outside the project",
         _symlink_out("translations/ar/LC_MESSAGES/guide.po",
                      _with_secret("translations/ar/LC_MESSAGES/guide.po", 'msgstr "التسجيل"', f'msgstr "{SECRET}"')),
         "translations/ar/LC_MESSAGES/guide.po: refused: catalog resolves to "),
    Case("image symlinked outside the project",
         _symlink_out("guide/images/willkommen.svg",
                      lambda root: f'<svg xmlns="http://www.w3.org/2000/svg"><title>{SECRET}</title></svg>'),
         "guide/images/willkommen.svg: refused: image resolves to "),
    Case("style sheet symlinked outside the project",
         _symlink_out("styles/guide.css", lambda root: (root / "styles/guide.css").read_text(encoding="utf-8")
                      + f"\n/* {SECRET} */ body::after {{ content: '{SECRET}'; }}\n"),
         "styles/guide.css: refused: style resolves to "),
    Case("template symlinked outside the project",
         _symlink_out("styles/imprint.html.j2", lambda root: (root / "styles/imprint.html.j2").read_text(encoding="utf-8")
                      + f"\n<p>{SECRET}</p>\n"),
         "styles/imprint.html.j2: refused: template resolves to "),
    Case("chapter folder symlinked outside the project",
         lambda root: ((root.parent / "outside-chapters").mkdir(exist_ok=True),
                       (root / "chapters/01-anmelden.md").rename(root.parent / "outside-chapters/01-anmelden.md"),
                       (root / "chapters/02-notruf.md").rename(root.parent / "outside-chapters/02-notruf.md"),
                       (root / "chapters").rmdir(), (root / "chapters").symlink_to(root.parent / "outside-chapters")),
         "chapters: refused: folder resolves to "),
    # content that is not text, or text with what no text needs
    Case("NUL byte in a chapter", _edit("chapters/02-notruf.md", "Wer hilft?", "Wer\x00 hilft?"),
         "chapters/02-notruf.md:"),
    Case("right-to-left override in a chapter", _edit("chapters/02-notruf.md", "Wer hilft?", "Wer \u202ehilft?"),
         "chapters/02-notruf.md:"),
    Case("bidi mark in the German source", _edit("chapters/02-notruf.md", "Wer hilft?", "Wer \u200fhilft?"),
         "chapters/02-notruf.md:"),
    Case("control character in a translation", _po_entry('msgstr "التسجيل"', 'msgstr "التسجيل\\b"'),
         "translations/ar/LC_MESSAGES/guide.po:"),
    Case("a translation 60 times its source", _po_entry('msgstr "التسجيل"', 'msgstr "' + "التسجيل " * 60 + '"'),
         "translations/ar/LC_MESSAGES/guide.po:"),
    Case("a 5 MB catalog", _po_entry('msgstr "التسجيل"', 'msgstr "' + "التسجيل " * 400_000 + '"'),
         "translations/ar/LC_MESSAGES/guide.po: catalog of "),
    Case("a 12,000 × 12,000 px PNG", _big_png,
         "chapters/01-anmelden.md:15: image guide/images/riesig.png cannot be used: 12,000 × 12,000 px is 144 Mpx, "
         "more than the limit of 40 Mpx"),
    Case("SVG with a script", _write("guide/images/willkommen.svg",
                                     '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
         "chapters/01-anmelden.md:15: image guide/images/willkommen.svg cannot be used: SVG element <script> is not allowed"),
    Case("SVG with an event handler", _write("guide/images/willkommen.svg",
                                             '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
         "chapters/01-anmelden.md:15: image guide/images/willkommen.svg cannot be used: SVG event handler onload"),
    Case("SVG with an entity", _write("guide/images/willkommen.svg",
                                      '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                      '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'),
         "chapters/01-anmelden.md:15: image guide/images/willkommen.svg cannot be used: SVG with a DTD or entities"),
    Case("YAML alias bomb in guide.yml", _edit("guide/guide.yml", "subtitle: Ein kleiner Wegweiser",
                                               "subtitle: &a Ein kleiner Wegweiser\nx: [*a, *a]"),
         "guide/guide.yml:2: YAML anchors and aliases (&name, *name) are not supported"),
    Case("Markdown nested 20 levels deep", _append_chapter("\n" + "> " * 20 + "tief\n"),
         "chapters/02-notruf.md:18: Markdown nested more than 12 levels deep"),
    Case("style sheet that loads from the network",
         _edit("styles/guide.css", '@import "tokens.css";', '@import "tokens.css";\n@import url("http://127.0.0.1:9/x.css");'),
         "styles/guide.css:7: refused: url(http://127.0.0.1:9/x.css)"),
    Case("web address that is not https (the back cover's QR code)",
         _edit("guide/guide.yml", "source_language: de", "web_url: http://example.org/guide\nsource_language: de"),
         "guide/guide.yml:6: 'web_url' must be an https:// address (where dist/web is published), not 'http://example.org/guide'"),
    Case("map: a town outside the map's frame", _write("guide/map/kreis-kleve.yml", (
        "source: test\nchecked: 2026-01-15\nchapter: registration\nframe: [5.9, 51.4, 6.5, 51.9]\n"
        "welcome_center: {at: [6.13, 51.79], municipality: Kleve}\nmunicipalities:\n"
        "  - {name: Kleve, kind: Stadt, at: [7.5, 51.79], label: n}\nborder: [[5.9, 51.8], [6.0, 51.7]]\n")),
         "guide/map/kreis-kleve.yml:7: 'Kleve' lies outside the map's frame"),
    Case("a file where the output folder should be", _file_for_dist,
         "{root}/dist: cannot write: a file stands where a folder is needed"),
    Case("opening hours that are not days and times", _edit("guide/contacts.yml", "  phone: 02821 85-0",
                                                            "  phone: 02821 85-0\n  hours: montags früh"),
         "guide/contacts.yml:5: 'montags früh' is not opening hours (days, then times)"),
    # files coming back from translators (kkguide translate import)
    Case("returned XLIFF with an external entity",
         _returned("returned.xlf", '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY s SYSTEM "file:///etc/passwd">]>\n'
                   '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x" '
                   'source-language="de" target-language="ar" datatype="plaintext"><body><trans-unit id="1">'
                   '<source>Anmelden</source><target>&s;</target></trans-unit></body></file></xliff>\n'),
         "{root}/../returned.xlf:2: XLIFF with a DOCTYPE or entity declarations is not accepted",
         ("--lang", "ar", "{root}/../returned.xlf"), ("translate", "import")),
    Case("returned PO that is not UTF-8", lambda root: (root.parent / "returned.po").write_bytes(b'msgid "x\xe4"\n'),
         "{root}/../returned.po:1: file is not valid UTF-8 text",
         ("--lang", "ar", "{root}/../returned.po"), ("translate", "import")),
]
