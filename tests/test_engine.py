"""Build engine: the cache never serves a stale PDF, and parallel output equals serial output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kkguide.build import build

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
