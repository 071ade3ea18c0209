"""Accessible screen edition: tagged PDF/UA-1, /Lang on passages in another language, alt text,
document title shown, text contrast at least 4.5:1."""

from __future__ import annotations

import re

import pikepdf

from conftest import REPO


def _elements(node, found):
    if isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/StructElem":
        found.append(node)
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            _elements(kid, found)
    return found


def test_german_fallback_inside_arabic_pdf_is_tagged_german(mini, cli):
    assert cli(mini, "build", "--lang", "ar", "--jobs", "1").exit_code == 0
    with pikepdf.open(mini / "dist/ar/kreis-kleve-welcome-guide-ar-screen.pdf") as pdf:
        assert str(pdf.Root.Lang) == "ar"
        assert bool(pdf.Root.MarkInfo.Marked) and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        elements = _elements(pdf.Root.StructTreeRoot.K[0], [])
        german = [e for e in elements if str(e.get("/Lang", "")) == "de"]
        assert any(e.S == "/P" for e in german), "the untranslated paragraph is not marked German"
        assert not [e for e in elements if str(e.get("/Lang", "")) == "ar"], "/Lang repeated needlessly"
        figures = [e for e in elements if e.S == "/Figure"]
        assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)
        assert "بيت على نهر الراين" in [str(e.Alt) for e in figures]  # alt text in the reader's language
        assert str(pdf.docinfo.Title) == "مرحبًا بكم في دائرة الاختبار"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _tokens() -> dict[str, str]:
    css = (REPO / "styles/tokens.css").read_text(encoding="utf-8")
    return dict(re.findall(r"(--kk-[a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", css))


def test_every_text_colour_has_contrast_of_at_least_4_5():
    """Colours are design tokens (styles/tokens.css). Every colour guide.css gives text reaches
    4.5:1 on the light grounds text stands on (paper, sky tint, map land); white text reaches it
    on the dark panels it stands on (emergency panel, foot band, language pill); every chapter
    hue reaches it on white (hue-coloured summaries, white pictograms on hue discs)."""
    tokens = _tokens()
    css = (REPO / "styles/guide.css").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<![-\w])color:\s*var\((--kk-[a-z-]+)\)", css))
    literal = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css))
    assert not literal, f"colours outside the tokens: {literal}"
    assert {"--kk-text", "--kk-ink", "--kk-furniture", "--kk-paper"} <= used | {"--kk-text"}
    light = [tokens[t] for t in ("--kk-paper", "--kk-sky", "--kk-map-land")]
    for name in used - {"--kk-paper", "--kk-hue"}:
        for bg in light:
            assert contrast(tokens[name], bg) >= 4.5, f"{name} on {bg}: {contrast(tokens[name], bg):.2f}:1"
    for panel in ("--kk-alert", "--kk-ink"):
        assert contrast(tokens["--kk-paper"], tokens[panel]) >= 4.5, panel
    hues = re.findall(r"--kk-hue:\s*var\((--kk-[a-z-]+)\)", (REPO / "styles/tokens.css").read_text(encoding="utf-8"))
    assert len(set(hues)) >= 6
    for hue in set(hues):
        assert contrast(tokens[hue], tokens["--kk-paper"]) >= 4.5, f"{hue}: {contrast(tokens[hue], '#ffffff'):.2f}:1"


def test_bilingual_edition_pairs_german_and_the_reader_language(mini, cli):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text().replace("editions:\n", "editions:\n  bilingual:\n    page_size: A5\n"))
    result = cli(mini, "build", "--edition", "bilingual", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert not (mini / "dist/de/kreis-kleve-welcome-guide-de-bilingual.pdf").exists()  # no German-German
    pdf_path = mini / "dist/ar/kreis-kleve-welcome-guide-ar-bilingual.pdf"
    from pdfcheck import plain_text
    text = plain_text(pdf_path)
    german = text.index("Melden Sie Ihre Wohnung innerhalb von zwei Wochen an.")
    arabic = text.index("مكتب خدمة المواطنين")
    assert german < arabic, "the German original comes first, then the translation"
    with pikepdf.open(pdf_path) as pdf:
        elements = _elements(pdf.Root.StructTreeRoot.K[0], [])
        assert sum(1 for e in elements if str(e.get("/Lang", "")) == "de") >= 5
