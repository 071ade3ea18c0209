"""Build engine: the cache never serves a stale PDF, and parallel output equals serial output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kkguide.build import build
from kkguide.languages import STATES_FILE

PDF = {lang: f"{lang}/kreis-kleve-welcome-guide-{lang}-screen.pdf" for lang in ("de", "ar")}


def _rendered(report) -> set[str]:
    return {r.job.language.code for r in report.results if not r.reused}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


CHANGES = {
    # input kind: (change, languages that must be rendered again)
    "chapter": (lambda r: _append(r / "chapters/02-notruf.md", "\nEin neuer Satz.\n"), {"de", "ar"}),
    "catalog": (lambda r: _append(r / "translations/ar/LC_MESSAGES/guide.po", '\n#. new\nmsgid "x-neu"\nmsgstr ""\n'), {"ar"}),
    "css": (lambda r: _append(r / "styles/guide.css", "\nh2 { color: #000; }\n"), {"de", "ar"}),
    "template": (lambda r: _append(r / "styles/guide.html.j2", "\n"), {"de", "ar"}),
    "facts": (lambda r: (r / "guide/contacts.yml").write_text(
        (r / "guide/contacts.yml").read_text().replace("02821 85-0", "02821 85-1")), {"de", "ar"}),
    "image": (lambda r: _append(r / "guide/images/willkommen.svg", "\n<!-- changed -->\n"), {"de", "ar"}),
    "guide settings": (lambda r: (r / "guide/guide.yml").write_text(
        (r / "guide/guide.yml").read_text().replace("2026-01-15", "2026-02-01")), {"de", "ar"}),
}


def test_noop_rebuild_renders_nothing_and_rewrites_nothing(mini):
    out = mini / "dist"
    first = build(mini, out, workers=1)
    assert _rendered(first) == {"de", "ar"}
    stamps = {p: (out / p).stat().st_mtime_ns for p in [*PDF.values(), "manifest.json"]}
    again = build(mini, out, workers=1)
    assert _rendered(again) == set() and again.rendered == 0
    assert {p: (out / p).stat().st_mtime_ns for p in stamps} == stamps


@pytest.mark.parametrize("kind", CHANGES)
def test_each_input_kind_rebuilds_what_it_affects(mini, kind):
    out = mini / "dist"
    before = build(mini, out, workers=1)
    change, expected = CHANGES[kind]
    change(mini)
    after = build(mini, out, workers=1)
    assert _rendered(after) == expected
    old = {r.job.language.code: r.artifact.sha256 for r in before.results}
    for result in after.results:
        on_disk = (out / result.artifact.path).read_bytes()
        assert result.data == on_disk
        if result.job.language.code not in expected:
            assert result.artifact.sha256 == old[result.job.language.code]


def test_force_renders_everything(mini):
    out = mini / "dist"
    build(mini, out, workers=1)
    assert _rendered(build(mini, out, workers=1, force=True)) == {"de", "ar"}


def test_damaged_cache_entry_is_a_miss_not_a_wrong_pdf(mini):
    out = mini / "dist"
    build(mini, out, workers=1)
    for pdf in (out / ".kkguide-cache").glob("*.pdf"):
        pdf.write_bytes(b"%PDF-1.7 truncated")
    assert _rendered(build(mini, out, workers=1)) == {"de", "ar"}


def test_parallel_build_equals_serial_build(mini, tmp_path):
    serial = build(mini, tmp_path / "serial", workers=1)
    parallel = build(mini, tmp_path / "parallel", workers=2)
    assert parallel.rendered == 2
    assert [r.artifact for r in serial.results] == [r.artifact for r in parallel.results]
    for path in PDF.values():
        assert (tmp_path / "serial" / path).read_bytes() == (tmp_path / "parallel" / path).read_bytes()
    assert json.loads((tmp_path / "serial/manifest.json").read_text()) == \
        json.loads((tmp_path / "parallel/manifest.json").read_text())


def test_render_times_are_kept_for_scheduling_and_a_damaged_record_is_ignored(mini):
    out = mini / "dist"
    build(mini, out, workers=2)
    timings = json.loads((out / ".kkguide-cache/timings.json").read_text())
    assert set(timings) == {"de/screen", "ar/screen"} and all(0 < t < 60 for t in timings.values())
    (out / ".kkguide-cache/timings.json").write_text("{not json")
    first = (out / PDF["ar"]).read_bytes()
    assert _rendered(build(mini, out, workers=2, force=True)) == {"de", "ar"}
    assert (out / PDF["ar"]).read_bytes() == first  # the order of rendering never changes a PDF
    assert set(json.loads((out / ".kkguide-cache/timings.json").read_text())) == {"de/screen", "ar/screen"}


# --- round 2: one layout per distinct layout, reasons, fonts, clean, pruning ---------------------

def test_screen_print_and_office_booklet_share_one_layout(tmp_path, monkeypatch):
    """One guide layout per language (plus the small notes-pages layout when the booklet needs
    them), however many editions are written from it."""
    from conftest import make_printable, make_project
    import kkguide.pdf

    root = make_printable(make_project(tmp_path / "mini"))
    laid_out: list[str] = []
    real = kkguide.pdf.lay_out
    monkeypatch.setattr(kkguide.pdf, "lay_out", lambda html, files, label: laid_out.append(
        "notes" if 'class="cover"' not in html else "guide") or real(html, files, label))
    report = build(root, tmp_path / "out", ["de", "ar"], ["screen", "print", "office-booklet"], workers=1)
    assert report.rendered == 6
    assert laid_out.count("guide") == 2 and laid_out.count("notes") <= 2
    pages = {(r.job.language.code, r.job.edition.name): r.artifact.pages for r in report.results}
    for lang in ("de", "ar"):
        assert pages[lang, "print"] % 4 == 0 and pages[lang, "print"] - pages[lang, "screen"] in (0, 1, 2, 3)
        assert pages[lang, "office-booklet"] == pages[lang, "print"] // 2


def test_an_edition_is_the_same_whichever_editions_are_built_with_it(tmp_path):
    from conftest import make_printable, make_project

    root = make_printable(make_project(tmp_path / "mini"))
    together = build(root, tmp_path / "a", ["ar"], ["screen", "print", "office-booklet"], workers=1)
    for edition in ("print", "office-booklet"):
        alone = build(root, tmp_path / edition, ["ar"], [edition], workers=1)
        want = next(r for r in together.results if r.job.edition.name == edition)
        assert alone.results[0].data == want.data, edition


def test_a_rebuild_names_the_input_that_changed(mini, cli):
    out = mini / "dist"
    first = build(mini, out, workers=1)
    assert {r.reasons for r in first.results} == {("not built before",)}
    _append(mini / "translations/ar/LC_MESSAGES/guide.po", '\n#. new\nmsgid "x-neu"\nmsgstr ""\n')
    again = build(mini, out, workers=1)
    assert [(r.job.label, r.reasons) for r in again.results if not r.reused] == \
        [("ar/screen", ("changed: translations/ar/LC_MESSAGES/guide.po",))]
    assert build(mini, out, workers=1, force=True).results[0].reasons == ("--force",)
    _append(mini / "chapters/02-notruf.md", "\nEin neuer Satz.\n")
    result = cli(mini, "build", "--jobs", "1")
    assert result.exit_code == 0
    assert "why: changed: chapters/02-notruf.md (2 PDFs)" in result.output


def _fontconfig_with(tmp_path: Path, font_dir: Path) -> Path:
    """A fontconfig set-up: the system's, plus ``font_dir`` (as installing a package would)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{font_dir}</dir>
<cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>""")
    return conf


def test_an_unrelated_font_install_rebuilds_nothing_and_a_stack_font_does(mini, tmp_path, monkeypatch):
    import shutil
    import subprocess

    out = mini / "dist"
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fontconfig_with(tmp_path, fonts)))
    build(mini, out, workers=1)
    # a font no stack of styles/guide.css names (DejaVu Sans Mono: not in any font-family)
    mono = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans Mono"], capture_output=True, text=True).stdout
    shutil.copy(mono, fonts / "unrelated-mono.ttf")
    again = build(mini, out, workers=1)
    assert again.rendered == 0
    # another file of a family the stacks name: that can change what is printed
    noto = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans:bold"], capture_output=True, text=True).stdout
    shutil.copy(noto, fonts / "NotoSans-Extra.ttf")
    third = build(mini, out, workers=1)
    assert third.rendered == 2
    assert all(r.reasons == (f"new: font:{fonts / 'NotoSans-Extra.ttf'}",) for r in third.results), \
        [r.reasons for r in third.results]


def test_entries_no_job_can_use_are_pruned_and_clean_removes_the_cache(mini, cli):
    out = mini / "dist"
    cache = out / ".kkguide-cache"
    build(mini, out, workers=1)
    first = {p.name for p in cache.glob("*.pdf")}
    assert len(first) == 2
    _append(mini / "translations/ar/LC_MESSAGES/guide.po", '\n#. new\nmsgid "x-neu"\nmsgstr ""\n')
    build(mini, out, ["ar"], workers=1)
    second = {p.name for p in cache.glob("*.pdf")}
    assert len(second) == 2 and len(second & first) == 1  # de's entry kept, ar's old one gone
    assert not [p for p in cache.iterdir() if p.suffix == ".json" and p.stem not in {s[:-4] for s in second}
                and p.name not in ("timings.json", "index.json", STATES_FILE)]
    assert len(json.loads((cache / STATES_FILE).read_text())) == 2  # one state per language, old ones dropped
    result = cli(mini, "clean")
    assert result.exit_code == 0 and result.output.startswith("removed ") and not cache.exists()
    assert (out / PDF["de"]).is_file()  # published PDFs stay
    assert cli(mini, "clean").output.startswith("removed 0 file(s)")
    assert _rendered(build(mini, out, workers=1)) == {"de", "ar"}


def _groups(n: int):
    from kkguide.build import Job, LayoutGroup
    from kkguide.config import Edition, make_language

    language = make_language("de", "guide.yml", 1)
    return [LayoutGroup(language, (Job(language, Edition(f"e{i}", "A5")),)) for i in range(n)]


def test_this_process_renders_while_the_pool_does_and_takes_groups_in_order(monkeypatch):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import kkguide.build as engine
    from kkguide.build import Renderer
    from kkguide.cache import CachedPdf

    started: list[tuple[str, str]] = []

    def render(project, group, translation):
        started.append((group.jobs[0].edition.name, threading.current_thread().name))
        time.sleep(0.05)
        return {group.jobs[0]: CachedPdf(b"%PDF", 1, (), {})}, 0.05

    monkeypatch.setattr(engine, "_render_in_worker", render)
    groups = _groups(6)
    with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
        done: list = []
        rendered, seconds = Renderer(None, pool, 1, local=True, done=done.append).run([(g, None) for g in groups])
    names = [name for name, _ in started]
    assert sorted(names) == [f"e{i}" for i in range(6)] and set(names[:2]) == {"e0", "e1"}  # one shared order
    where = {thread.startswith("pool") for _, thread in started}
    assert where == {True, False}  # both this process (main thread) and the pool rendered
    assert len(rendered) == 6 and len(done) == 6 and set(seconds) == {g.label for g in groups}


def test_a_failing_group_stops_the_others_and_is_raised(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import kkguide.build as engine
    from kkguide.build import Renderer
    from kkguide.errors import KkguideError

    started = []

    def render(project, group, translation):
        started.append(group.label)
        raise KkguideError("broken", group.jobs[0].filename)

    monkeypatch.setattr(engine, "_render_in_worker", render)
    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(KkguideError, match="broken"):
            Renderer(None, pool, 1, local=True, done=lambda job: None).run([(g, None) for g in _groups(8)])
    assert len(started) <= 2  # nobody takes another group once one has failed
