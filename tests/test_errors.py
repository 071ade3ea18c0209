"""Bad input: one clear line naming file and line, exit status 1, nothing written to dist/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def _snapshot(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _break_front_matter(root: Path) -> None:
    _replace(root / "chapters/01-anmelden.md", "title: Anmelden", "title: [Anmelden")


def _break_po(root: Path) -> None:
    _replace(root / "translations/ar/LC_MESSAGES/guide.po", 'msgid "Anmelden"', 'msgid "Anmelden')


def _missing_image(root: Path) -> None:
    _replace(root / "chapters/01-anmelden.md", "images/willkommen.svg", "images/fehlt.svg")


def _unknown_fact(root: Path) -> None:
    _replace(root / "chapters/02-notruf.md", "{{fire.phone}}", "{{fire.fax}}")


def _unknown_key(root: Path) -> None:
    _replace(root / "guide/guide.yml", "subtitle:", "subtitel: x\nsubtitle:")


def _po_not_utf8(root: Path) -> None:
    path = root / "translations/ar/LC_MESSAGES/guide.po"
    path.write_bytes(path.read_bytes().replace("Feuerwehr\"".encode(), "Feuerwehr\xe4\"".encode("latin-1"), 1))


CASES = {
    "broken front matter": (_break_front_matter, [], "chapters/01-anmelden.md:4: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line 3)"),
    "invalid po": (_break_po, [], "translations/ar/LC_MESSAGES/guide.po:"),
    "po not utf-8": (_po_not_utf8, [], "translations/ar/LC_MESSAGES/guide.po:"),
    "unknown language": (lambda root: None, ["--lang", "xx"], "guide/guide.yml:7: unknown language 'xx'"),
    "missing image": (_missing_image, [], "chapters/01-anmelden.md:15: image not found: guide/images/fehlt.svg"),
    "unknown fact": (_unknown_fact, [], "chapters/02-notruf.md:12: unknown fact reference {{fire.fax}}"),
    "unknown key": (_unknown_key, [], "guide/guide.yml:2: unknown key 'subtitel'"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_one_located_line_and_writes_nothing(mini, cli, case):
    assert cli(mini, "build", "--lang", "de").exit_code == 0
    before = _snapshot(mini / "dist")
    breaker, args, expected = CASES[case]
    breaker(mini)
    result = cli(mini, "build", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in result.output
    assert _snapshot(mini / "dist") == before


def test_failed_first_build_leaves_no_dist(mini, cli):
    _break_po(mini)
    assert cli(mini, "build").exit_code == 1
    assert not (mini / "dist").exists()


def test_missing_glyph_fails_the_build_and_names_the_character(mini, cli):
    _replace(mini / "chapters/02-notruf.md", "Wer hilft?", "Wer hilft? \ue000")
    result = cli(mini, "build", "--lang", "de")
    assert result.exit_code == 1
    assert "U+E000" in result.stderr and "de/kreis-kleve-welcome-guide-de-screen.pdf" in result.stderr
    assert not (mini / "dist").exists()
