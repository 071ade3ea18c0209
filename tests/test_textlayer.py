"""The text layer, on small documents that hold each hard case once: poppler (pdftotext) and
MuPDF read every paragraph whole and in logical order; the rewrite changes no pixel (poppler's
renderer); the checker finds nothing; German runs are Span elements with /Lang de whose content
MuPDF reads as the German text."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import pikepdf
import pymupdf
import pytest
import weasyprint

from kkguide import tagging, textlayer
from kkguide.langparts import Parts, find_german, german_source
from kkguide.markdown import make_markdown
from kkguide.uacheck import check_pdf

CSS = """@page { size: A5; margin: 18mm 14mm 16mm 14mm }
html { font-family: "Noto Sans"; font-size: 9.5pt; line-height: 1.45 }
:lang(ar), :lang(fa) { font-family: "Noto Naskh Arabic", "Noto Sans"; line-height: 1.6 }
:lang(ti) { font-family: "Noto Sans Ethiopic", "Noto Sans" }
:lang(de) { font-family: "Noto Sans" }
sup { font-size: 0.75em; vertical-align: super; line-height: 0 }
td { padding: 1.2mm 0.8em; vertical-align: top }
html[dir=rtl] td, html:lang(ti) td { line-height: 1.3 }
"""
FILLER = {"ar": "نص عربي للتجربة يملأ السطر حتى نهايته ", "fa": "متن فارسی برای آزمایش که سطر را پر می‌کند ",
          "uk": "Український текст для перевірки рядка ", "ti": "ናይ ፈተና ጽሑፍ ብትግርኛ ንመስመር ዝመልእ "}
# each hard case once: marks (shadda, tanwin, hamza, damma), lam-alef, ZWNJ, mirrored parentheses
# beside Latin, a Latin name inside, punctuation at the run's end, a hyphen that ends a line, a
# superscript mark after a fact (facts as the Markdown renderer writes them: left-to-right links)
CASES = {
    "ar": ["أهلاً وسهلاً بكم في مقاطعة Kleve (Kreis Kleve)!",
           "سجّلوا سكنكم لدى مكتب خدمة المواطنين (Bürgerbüro) خلال أسبوعين. يُسمح بالعمل ابتداءً من اليوم.",
           "تأكيد المؤجِّر (Wohnungsgeberbestätigung، § 19 BMG).",
           "ولاية شمال الراين-وستفاليا (Nordrhein-Westfalen). الاتصال: "
           '<a class="fact phone" dir="ltr" href="tel:+492821850">02821 85-0</a><sup>*</sup>.'],
    "fa": ["می‌توانید در دفتر خدمات شهروندی (Bürgerbüro) ثبت‌نام کنید.",
           "کارت اقامت (Aufenthaltstitel) را همیشه همراه داشته باشید؛ مدت اعتبار آن ۱۰ سال است.",
           "به ادارهٔ اتباع خارجی (Ausländerbehörde) بروید: "
           '<a class="fact url" dir="ltr" href="https://www.kreis-kleve.de">www.kreis-kleve.de</a><sup>*</sup>.'],
    "uk": ["Податковий ідентифікаційний номер (Steuer-Identifikationsnummer), скорочено Steuer-ID.",
           "Зверніться до відомства у справах іноземців (Ausländerbehörde) заздалегідь."],
    "ti": ["ናብ ቤት ጽሕፈት ጉዳያት ወጻእተኛታት (Ausländerbehörde) ቅድሚ ግዜ ኺዱ።",
           "ቁጽሪ መለለዪ ግብሪ (Steuer-Identifikationsnummer) ብደብዳበ ይመጸኩም።"],
}
GERMAN = ("Ausländerbehörde, Bürgerbüro, Kreis Kleve, Wohnungsgeberbestätigung nach § 19 BMG, "
          "Nordrhein-Westfalen, Aufenthaltstitel, die Steuer-Identifikationsnummer (Steuer-ID).")
BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text.translate(BIDI)))


def _html(lang: str, paragraphs: list[str], extra: str = "") -> str:
    direction = "rtl" if lang in ("ar", "fa") else "ltr"
    # the filler makes every case break a line somewhere in the middle of it
    body = "".join(f"<p>{FILLER[lang] * 2}{p} {FILLER[lang]}</p>" for p in paragraphs) + extra
    return (f'<html lang="{lang}" dir="{direction}"><head><title>Test</title><style>{CSS}</style></head>'
            f"<body>{body}</body></html>")


def _parts(lang: str) -> Parts:
    return Parts(german_source(make_markdown(), [GERMAN], ["Kreis Kleve"], ()), lang not in ("ar", "fa", "uk", "ti"))


def _write(html: str, lang: str, rewrite: bool = True) -> bytes:
    document = weasyprint.HTML(string=html).render()
    if rewrite:
        return tagging.write_ua(document, lang, _parts(lang))
    notes = tagging.Notes()
    with tagging._tag_hooks(document, lang, notes), textlayer.recording() as recording:
        return document.write_pdf(pdf_variant="pdf/ua-1")


def _poppler(data: bytes, tmp_path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _mupdf(data: bytes) -> str:
    return "".join(page.get_text() for page in pymupdf.open(stream=data, filetype="pdf"))


def _plain(paragraph: str) -> str:
    return re.sub(r"<[^>]+>", "", paragraph)


@pytest.mark.parametrize("lang", sorted(CASES))
def test_both_extractors_read_every_case_whole(lang, tmp_path):
    data = _write(_html(lang, CASES[lang]), lang)
    for name, text in (("poppler", _poppler(data, tmp_path)), ("mupdf", _mupdf(data))):
        got = squeeze(text)
        for paragraph in CASES[lang]:
            assert squeeze(_plain(paragraph)) in got, f"{name} ({lang}) does not read {paragraph!r}:\n{text}"
    assert not check_pdf(data), [f.text() for f in check_pdf(data)]


def test_without_the_rewrite_the_extractors_fail(tmp_path):
    """The cases are hard: WeasyPrint's own text layer gets them wrong (the test can fail)."""
    data = _write(_html("ar", CASES["ar"]), "ar", rewrite=False)
    got = squeeze(_poppler(data, tmp_path)), squeeze(_mupdf(data))
    assert sum(squeeze(_plain(p)) not in text for p in CASES["ar"] for text in got) >= 3


def _pixels(data: bytes, tmp_path, name: str) -> list[bytes]:
    out = tmp_path / name
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(path), str(out)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]


@pytest.mark.parametrize("lang", ["ar", "uk"])
def test_rewrite_changes_no_pixel(lang, tmp_path):
    """Rendered by poppler at 100 dpi, the rewritten pages equal WeasyPrint's own, up to
    anti-aliasing: no pixel darker or lighter by more than 96 of 255."""
    extra = "<ul><li>Punkt eins mit Text</li><li>Punkt zwei</li></ul>" \
            "<table><tr><td>Zelle mit einem langen Text, der umbricht</td><td>10</td></tr></table>"
    html = _html(lang, CASES[lang], extra)
    new, old = _pixels(_write(html, lang), tmp_path, "new"), _pixels(_write(html, lang, False), tmp_path, "old")
    assert len(new) == len(old) >= 1
    for a, b in zip(new, old):
        # binary PGM: header, then one byte per pixel
        head = a.split(b"\n", 3)
        pixels_a, pixels_b = head[3], b.split(b"\n", 3)[3]
        assert len(pixels_a) == len(pixels_b)
        worst = max(abs(x - y) for x, y in zip(pixels_a, pixels_b))
        assert worst <= 96, f"a pixel changed by {worst}"


def test_list_markers_are_read_with_their_item():
    html = _html("uk", ["Вступ."], "<ul><li>Перший пункт</li><li>Другий пункт</li></ul><p>Кінець абзацу.</p>")
    text = squeeze(_mupdf(_write(html, "uk")))
    assert "•Першийпункт•Другийпункт" in text and text.endswith("Кінецьабзацу.")


def _german_spans(data: bytes) -> list[tuple[int, list[int]]]:
    """(page index, MCIDs) of every Span element with /Lang de."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    found = []

    def kids_of(element):
        kids = element.get("/K")
        return list(kids) if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])

    def mcids(element) -> list[int]:   # the element's own and its descendants' (a fact's inner Span)
        out = []
        for kid in kids_of(element):
            if isinstance(kid, int):
                out.append(int(kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out += mcids(kid)
        return out

    def walk(element):   # in document order
        if element.S == "/Span" and str(element.get("/Lang", "")) == "de" and "/Pg" in element:
            found.append((pages[element.Pg.objgen], mcids(element)))
            return
        for kid in kids_of(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid)

    walk(pdf.Root.StructTreeRoot.K[0])
    return found


def marked_text(data: bytes, page_index: int, mcids: list[int]) -> str:
    """What MuPDF reads of a page when only the marked-content sequences ``mcids`` show text."""
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[page_index]
    out, stack = [], []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            props = operands[1] if len(operands) > 1 else None
            mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            stack.append(mcid if mcid is not None else (stack[-1] if stack else None))
        elif name == "EMC" and stack:
            stack.pop()
        if name in ("TJ", "Tj", "'", '"') and not (stack and stack[-1] in mcids):
            continue
        out.append((operands, op))
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return pymupdf.open(stream=buffer.getvalue(), filetype="pdf")[page_index].get_text()


@pytest.mark.parametrize("lang", ["ar", "uk"])
def test_german_runs_are_spans_in_german(lang):
    data = _write(_html(lang, CASES[lang]), lang)
    spans = _german_spans(data)
    texts = [squeeze(marked_text(data, page, mcids)) for page, mcids in spans]
    expected = {squeeze(t) for p in CASES[lang] for a, b in find_german(_plain(p), _parts(lang))
                for t in [_plain(p)[a:b]]}
    # every German run is marked (a run broken across lines in one span per line), nothing else is
    assert expected and all(e in "".join(texts) for e in expected), (texts, expected)
    assert all(t and t in squeeze(GERMAN) for t in texts), texts


def test_find_german():
    ar = _parts("ar")
    en = Parts(german_source(make_markdown(), [GERMAN], ["Kreis Kleve"], ["Ausländerbehörde"]), True)
    text = "مكتب (Ausländerbehörde) في Kreis Kleve و WhatsApp"
    assert [text[a:b] for a, b in find_german(text, ar)] == ["Ausländerbehörde", "Kreis Kleve"]
    english = "Go to the Ausländerbehörde (Bürgerbüro) or the (city office) in Kreis Kleve."
    assert [english[a:b] for a, b in find_german(english, en)] == ["Ausländerbehörde", "Bürgerbüro", "Kreis Kleve"]
    assert find_german("Die Steuer-ID (Steuer-ID)", Parts(_parts("ar").source, False)) == [(4, 13), (15, 24)]


def test_whole_word_search_answers_as_the_regex_it_replaces():
    """langparts finds German phrases without compiling a regex per phrase; the answer is the
    regex's (no letter of the Latin range right before or after), on any text."""
    import re as regex

    from hypothesis import given, settings, strategies as st

    from kkguide.langparts import _LETTER, _whole_words_in

    alphabet = st.sampled_from(list("aäß Éz-1()ḀɏØ÷×ب"))

    @settings(max_examples=2000, derandomize=True, deadline=None)
    @given(st.text(alphabet, max_size=14), st.text(alphabet, min_size=1, max_size=3))
    def same(text, phrase):
        want = bool(regex.search(f"(?<![{_LETTER}]){regex.escape(phrase)}(?![{_LETTER}])", text))
        assert _whole_words_in(phrase, text) == want

    same()
