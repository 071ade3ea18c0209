"""kkguide init: a blank guide of one's own builds at once and shows its theme; the Kleve example
is a whole copy; styles/ is an override folder over kkguide's built-in styles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkguide.cli import main
from kkguide.config import load_config, load_facts
from kkguide.theme import contrast

INK, GROUND, IDENTITY = "#6a1b4d", "#f7e9f1", "#8e2a5e"   # not the template's: they must come from guide.yml
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20" width="40" height="20">'
        '<rect width="40" height="20" fill="#123456"/></svg>')


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    """A blank guide with its own colours, an override of a built-in template, built once."""
    root = tmp_path_factory.mktemp("init") / "musterstadt"
    made = run("init", str(root), "--from", "blank", "--office", "Stadt Musterstadt, Ausländerbehörde",
               "--lang", "ar")
    assert made.exit_code == 0, made.output
    guide = root / "guide/guide.yml"
    text = guide.read_text(encoding="utf-8")
    for old, new in (('"#1f3d2b"', f'"{INK}"'), ('"#e8f3ec"', f'"{GROUND}"'), ('"#2e7d4f"', f'"{IDENTITY}"')):
        assert old in text
        text = text.replace(old, new)
    (root / "guide/images/stadt.svg").write_text(LOGO, encoding="utf-8")
    text = text.replace("logo: guide/images/logo.svg", "logo: guide/images/stadt.svg")
    guide.write_text(text, encoding="utf-8")
    # the override folder: a file of the project's styles/ replaces kkguide's built-in one
    builtin = (Path(__file__).resolve().parent.parent / "styles/imprint.html.j2").read_text(encoding="utf-8")
    (root / "styles/imprint.html.j2").write_text(builtin + "<p>Eigenes Impressum der Stadt</p>\n", encoding="utf-8")
    built = run("-C", str(root), "build", "--edition", "screen", "--jobs", "1")
    assert built.exit_code == 0, built.output + built.stderr
    return root


def _pdf(root: Path, lang: str) -> Path:
    return root / f"dist/{lang}/musterstadt-welcome-guide-{lang}-screen.pdf"


def test_blank_guide_has_its_own_name_languages_and_placeholders_marked_unverified(blank):
    config = load_config(blank)
    assert config.publisher == "Stadt Musterstadt, Ausländerbehörde"
    assert [lang.code for lang in config.languages] == ["de", "ar"]
    assert not (blank / "styles/guide.html.j2").exists()   # no copy of kkguide's templates
    facts = load_facts(config.files)
    assert facts.records and all(r.state == "unverified" for r in facts.records.values())
    assert facts.get("kreis.name").value == "Stadt Musterstadt, Ausländerbehörde"
    assert (blank / "translations/ar/LC_MESSAGES/guide.po").is_file()
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(blank / "translations/ar/LC_MESSAGES/guide.po")]
                          ).returncode == 0
    assert _pdf(blank, "de").is_file() and _pdf(blank, "ar").is_file()


def test_theme_colours_reach_the_pdf(blank):
    """MuPDF's reading of the text colours, and poppler's rendering of the cover ground."""
    import fitz

    with fitz.open(_pdf(blank, "de")) as doc:
        spans = {s["text"]: s["color"] for b in doc[0].get_text("dict")["blocks"] for line in b.get("lines", [])
                 for s in line["spans"]}
    assert spans["Willkommen"] == int(INK[1:], 16)
    assert spans["Wegweiser für Neuzugewanderte"] == int(IDENTITY[1:], 16)
    ppm = subprocess.run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-x", "2", "-y", "2", "-W", "1", "-H", "1",
                          str(_pdf(blank, "de"))], capture_output=True, check=True).stdout
    assert ppm.endswith(bytes.fromhex(GROUND[1:])), ppm[-3:].hex()


def test_logo_and_override_folder_reach_the_pdf(blank):
    import fitz

    with fitz.open(_pdf(blank, "de")) as doc:
        fills = {tuple(round(c * 255) for c in d["fill"]) for d in doc[0].get_drawings() if d.get("fill")}
        assert (0x12, 0x34, 0x56) in fills, "the theme's logo is not on the cover"
        text = "".join(page.get_text() for page in doc)
    assert "Eigenes Impressum der Stadt" in text   # styles/imprint.html.j2 of the project
    assert "Ausländerbehörde Musterstadt" not in text and "Stadt Musterstadt" in text


def test_back_cover_is_the_offices_own(blank):
    """The back cover names the office of contacts.yml (welcome.name) and shows the theme's logo,
    nothing of the Kreis Kleve (its Welcome-Center's name, its mark)."""
    import fitz

    with fitz.open(_pdf(blank, "de")) as doc:
        back = doc[-1]
        text = back.get_text()
        fills = {tuple(round(c * 255) for c in d["fill"]) for d in back.get_drawings() if d.get("fill")}
    assert "Kleve" not in text and "Welcome-Center" not in text, text
    assert "Ihre Anlaufstelle" in text and "Stadt Musterstadt, Ausländerbehörde" in text, text
    assert (0x12, 0x34, 0x56) in fills, "the theme's logo is not on the back cover"


def test_blank_guide_text_colours_pass_the_contrast_check():
    text = (Path(__file__).resolve().parent.parent / "kkguide/templates/blank/guide/guide.yml.j2").read_text()
    for key in ("ink", "identity", "alert"):
        colour = text.split(f"    {key}: \"")[1][:7]
        assert contrast(colour, "#ffffff") >= 4.5


def test_contrast_is_the_wcag_ratio():
    # WCAG 2.x: #777777 on white is just below 4.5:1 (4.48), black on white 21:1
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert contrast("#000000", "#ffffff") == pytest.approx(21)


def test_kleve_example_is_a_whole_copy(tmp_path):
    result = run("init", str(tmp_path / "kleve"))
    assert result.exit_code == 0, result.output
    repo = Path(__file__).resolve().parent.parent
    for folder in ("chapters", "guide", "styles", "translations"):
        ours = sorted(p.relative_to(repo).as_posix() for p in (repo / folder).rglob("*") if p.is_file())
        theirs = sorted(p.relative_to(tmp_path / "kleve").as_posix() for p in (tmp_path / "kleve" / folder).rglob("*")
                        if p.is_file())
        assert ours == theirs
    assert load_config(tmp_path / "kleve").title == load_config(repo).title


def test_init_refuses_a_folder_that_is_not_empty_and_options_of_the_other_template(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path / "x"), "--from", "blank")
    assert result.exit_code == 1 and "folder is not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]   # nothing else written, no hidden folder left
    other = run("init", str(tmp_path / "y"), "--office", "Stadt X")
    assert other.exit_code == 1 and "--office is for --from blank" in other.stderr
    bad = run("init", str(tmp_path / "z"), "--from", "blank", "--lang", "xx")
    assert bad.exit_code == 1 and "--lang xx: unknown language code" in bad.stderr
    assert not (tmp_path / "z").exists()
