"""Bad input: one clear line naming file and line, exit status 1, nothing written to dist/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from badinput import CASES, SECRET, replace
from kkguide.files import ProjectFiles


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file of the project folder (sources and output) by content: what a failed build
    must leave exactly as it was."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _break_po(root: Path) -> None:
    replace(root / "translations/ar/LC_MESSAGES/guide.po", 'msgid "Anmelden"', 'msgid "Anmelden')


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_located_line_and_writes_nothing(mini, cli, case):
    assert cli(mini, "build", "--lang", "de").exit_code == 0
    case.change(mini)
    before = _snapshot(mini.parent)
    result = cli(mini, *case.command(mini))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(case.line(mini)), lines[0]
    assert "Traceback" not in result.output
    assert _snapshot(mini.parent) == before
    assert SECRET not in result.output


def test_failed_first_build_leaves_no_dist(mini, cli):
    _break_po(mini)
    assert cli(mini, "build").exit_code == 1
    assert not (mini / "dist").exists()


def test_missing_glyph_fails_the_build_and_names_character_and_fonts(mini, cli):
    replace(mini / "chapters/02-notruf.md", "Wer hilft?", "Wer hilft? \ue000")
    result = cli(mini, "build", "--lang", "de")
    assert result.exit_code == 1
    assert result.stderr.strip() == "styles/guide.css: de: no glyph for U+E000 '\ue000' in the font stack Noto Sans"
    assert not (mini / "dist").exists()


def test_missing_font_is_named(mini, cli):
    replace(mini / "styles/guide.css", '"Noto Naskh Arabic", "Noto Sans", sans-serif', '"Noto Fehlt Arabic", sans-serif')
    result = cli(mini, "build", "--lang", "ar")
    assert result.exit_code == 1
    assert "ar: none of the fonts Noto Fehlt Arabic is installed" in result.stderr


def test_weasyprint_notdef_is_caught_too(mini):
    from kkguide.errors import KkguideError
    from kkguide.pdf import render_pdf

    with pytest.raises(KkguideError, match="U\\+E000"):
        render_pdf('<html lang="de"><body><p>x \ue000</p></body></html>', ProjectFiles.at(mini), "test.pdf")


def test_bad_input_table_in_docs_is_current():
    table = (Path(__file__).resolve().parent.parent / "docs/bad-input.md").read_text(encoding="utf-8")
    for case in CASES:
        row = next((ln for ln in table.splitlines() if ln.startswith(f"| {case.name} |")), None)
        assert row is not None, f"{case.name} missing: run scripts/bad-input-table.py"
        shown = case.expected.replace("{root}", "PROJECT").replace("|", chr(92) + "|")
        assert f"| 1 | `{shown}" in row, row
