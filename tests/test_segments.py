"""Segmentation round trip: source -> messages -> translation -> the same document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kkguide.project import load_project
from kkguide.config import load_facts, make_language
from kkguide.files import ProjectFiles
from kkguide.markdown import FACT_REF, make_markdown
from kkguide.render import body_html
from kkguide.segments import extract
from kkguide.sources import parse_chapter
from kkguide.translate import Rendition, translate

from conftest import FIXTURES, REPO

PROJECTS = [REPO, FIXTURES / "mini"]


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _translation(project, mapping):
    """A Translation whose every text is mapping(msgid), pretending to be Arabic."""
    lang = make_language("ar", "test", 1)
    tr = translate(lang, "de", project.segments, project.ui, None)
    texts = {k: Rendition(mapping(k.msgid), "ar", "translated", "test") for k in tr.texts}
    return type(tr)(lang, "de", texts, tr.coverage, tr.chapters, False)


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_identity_translation_gives_the_same_document(root: Path):
    project = load_project(root)
    md = make_markdown()
    env = {"facts": project.facts}
    identity = _translation(project, lambda s: s)
    for chapter in project.chapters:
        direct = md.render(chapter.body, env)
        assert _squash(str(body_html(md, chapter.body, identity, env))) == _squash(direct), chapter.path


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_every_visible_word_is_a_message(root: Path):
    """Pseudo-translate to upper case: any lower-case prose left in the HTML escaped segmentation."""
    project = load_project(root)
    md = make_markdown()
    env = {"facts": project.facts}

    def upper(msgid: str) -> str:
        return FACT_REF.sub(lambda m: m.group(0), "".join(
            part if part.startswith("{{") else part.upper() for part in re.split(r"(\{\{[^}]*\}\})", msgid)))

    pseudo = _translation(project, upper)
    for chapter in project.chapters:
        html = str(body_html(md, chapter.body, pseudo, env))
        html = re.sub(r'<a class="fact[^>]*>.*?</a>|<span class="fact[^>]*>.*?</span>', "", html)
        text = re.sub(r"<[^>]+>", " ", html)
        text = re.sub(r"&[a-z]+;", " ", text)
        lower = [w for w in text.split() if any(c.islower() for c in w)]
        assert not lower, f"{chapter.path}: not extracted: {lower[:10]}"


def test_messages_carry_kind_and_source_line():
    text = "---\nid: x\ntitle: Titel\norder: 1\nsummary: Kurz.\n---\n## Kopf\n\nErster Satz\nzweite Zeile.\n\n- Punkt\n\n| A | B |\n|---|---|\n| Zelle | 42 |\n\n![Bild](images/a.svg)\n"
    chapter = parse_chapter(text, "chapters/01-x.md")
    segs = extract(make_markdown(), chapter)
    got = [(s.kind, s.msgid, s.line) for s in segs]
    assert got == [
        ("chapter title", "Titel", 3), ("chapter summary", "Kurz.", 5),
        ("heading", "Kopf", 7), ("paragraph", "Erster Satz zweite Zeile.", 9),
        ("list item", "Punkt", 12), ("table header cell", "A", 14), ("table header cell", "B", 14),
        ("table cell", "Zelle", 16), ("image alt text", "Bild", 18),
    ]


def test_cells_with_only_numbers_or_facts_are_not_messages():
    text = "---\nid: x\ntitle: T\norder: 1\nsummary: S.\n---\n| Wer | Nummer |\n|---|---|\n| Polizei | {{police.phone}} |\n| Jahr | 2024 |\n"
    segs = extract(make_markdown(), parse_chapter(text, "c.md"))
    assert [s.msgid for s in segs] == ["T", "S.", "Wer", "Nummer", "Polizei", "Jahr"]


def test_raw_html_in_a_translation_is_escaped():
    project = load_project(FIXTURES / "mini")
    md = make_markdown()
    hostile = _translation(project, lambda s: s + ' <img src="file:///etc/passwd"><script>x</script>')
    html = str(body_html(md, project.chapters[0].body, hostile, {"facts": load_facts(ProjectFiles.at(FIXTURES / "mini"))}))
    assert "<img src=\"file:///etc/passwd\"" not in html and "<script>" not in html
    assert "&lt;script&gt;" in html


def test_short_table_cells_are_kept_on_one_line_long_ones_may_wrap():
    """A year range or a short phrase ("من 1 إلى 4", which wrapped after its third word in the
    Arabic school table) gets ``nobreak``; a cell of a sentence does not."""
    from kkguide.markdown import make_markdown

    table = ("| Schulform | Klassen | Abschluss |\n|---|---|---|\n"
             "| Grundschule | من 1 إلى 4 | Wechsel auf eine weiterführende Schule |\n"
             "| Gymnasium | 2005–2006 | Abitur |\n")
    html = make_markdown().render(table, {})
    cells = re.findall(r"<td( class=\"nobreak\")?>([^<]*)</td>", html)
    kept = {text for nobreak, text in cells if nobreak}
    assert kept == {"Grundschule", "من 1 إلى 4", "Gymnasium", "2005–2006", "Abitur"}, cells
