"""Fuzzing with hypothesis: Markdown chapters and PO catalogs in every script, bidi controls,
zero-width characters, very long words and URLs. No crash, no lost text, round trips hold."""

from __future__ import annotations

import re
import subprocess
import tempfile
from html import unescape
from pathlib import Path

import polib
from hypothesis import given, settings, strategies as st

from kkguide.checks import problems
from kkguide.config import load_facts
from kkguide.files import ProjectFiles
from kkguide.markdown import make_markdown
from kkguide.render import body_html
from kkguide.segments import extract
from kkguide.sources import parse_chapter
from kkguide.translate import Rendition, Translation, Coverage
from kkguide.config import make_language
from kkguide.frozen import FrozenMap
from conftest import FIXTURES

SCRIPTS = (
    "abcXYZäöüßÄ"          # Latin and German
    "ğışçİ"                  # Turkish
    "абвгґєїЖЩ"             # Cyrillic
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي٠١٢"  # Arabic, Arabic-Indic digits
    "پچژگ"                   # Persian
    "ሀለሐመሠረሰ"               # Ethiopic
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202e\u2066\u2067\u2068\u2069\ufeff"  # bidi, zero-width
    "0123456789 .,;:?!-"
)
word = st.text(alphabet=SCRIPTS, min_size=1, max_size=12).filter(lambda w: w.strip())
long_word = st.text(alphabet="abcdefghijäöü", min_size=200, max_size=400)
url = st.builds(lambda a, b: f"https://www.{a}.de/{b}", st.text("abcdefgh", min_size=1, max_size=8),
                st.text("abcdefgh/-", min_size=0, max_size=120))
inline = st.lists(st.one_of(word, word.map(lambda w: f"**{w.strip()}**"), long_word, url,
                            st.just("{{kreis.phone}}")), min_size=1, max_size=12).map(" ".join)
block = st.one_of(
    inline,
    inline.map(lambda t: "## " + t),
    st.lists(inline, min_size=1, max_size=4).map(lambda items: "\n".join("- " + i for i in items)),
    inline.map(lambda t: "> " + t),
    st.lists(word, min_size=2, max_size=3).map(
        lambda cells: "| " + " | ".join(c.replace("|", "") for c in cells) + " |\n|" + "---|" * len(cells) +
        "\n| " + " | ".join(c.replace("|", "") for c in cells) + " |"),
)
chapters = st.lists(block, min_size=1, max_size=8).map("\n\n".join)
FACTS = load_facts(ProjectFiles.at(FIXTURES / "mini"))


def _chapter(body: str):
    return parse_chapter(f"---\nid: fuzz\ntitle: Titel\norder: 1\nsummary: Kurz.\n---\n{body}\n", "chapters/01-fuzz.md")


def _identity(chapter, md) -> Translation:
    texts = {s.key: Rendition(s.msgid, "ar", "translated", "fuzz") for s in extract(md, chapter)}
    return Translation(make_language("ar", "fuzz", 1), "de", FrozenMap(texts), Coverage(), FrozenMap(), False)


def _visible(html: str) -> str:
    return re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", html)))


@settings(max_examples=150, deadline=None)
@given(chapters)
def test_segmentation_round_trip_and_no_lost_text(body):
    md = make_markdown()
    env = {"facts": FACTS}
    chapter = _chapter(body)
    segments = extract(md, chapter)
    assert all(s.msgid == s.msgid.strip() and "\n" not in s.msgid for s in segments)
    direct = md.render(chapter.body, env)
    translated = str(body_html(md, chapter.body, _identity(chapter, md), env))
    assert _visible(translated) == _visible(direct)
    for w in re.findall(r"\w+", re.sub(r"\{\{[^}]*\}\}|https?://\S+", " ", body)):
        assert w in _visible(direct), f"lost {w!r}"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SCRIPTS + "*_[]()<>{}#|`\\\"'\n", max_size=200))
def test_checks_never_crash_and_accept_identity(text):
    assert problems(text.replace("\n", " ").strip() or "x", text.replace("\n", " ").strip() or "x") == []
    problems(text, text[::-1])


po_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\"\\"),
                  min_size=1, max_size=120).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(po_text, po_text, min_size=1, max_size=15))
def test_catalog_write_read_round_trip(entries):
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ar",
                   "Plural-Forms": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"}
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "guide.po"
        path.write_text(str(po) + "\n", encoding="utf-8")
        proc = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        again = polib.pofile(str(path), wrapwidth=0)
        assert {e.msgid: e.msgstr for e in again} == entries
