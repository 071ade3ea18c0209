"""Where a full default build's CPU goes, stage by stage (issue 16). Not a test.

    .venv/bin/python benchmarks/bench_stages.py [--json FILE]

Builds the default guide (``build --force``, one process, ``workers=1``) into a temp folder,
with a CPU-time (``time.process_time``) timer around each stage function. The timers are
inclusive (a stage inside another is counted in both), so the split below is computed from
them, not summed:

- ``weasyprint_layout``: ``weasyprint.HTML.render`` (the guides and the notes pages);
- ``weasyprint_write``: ``weasyprint.Document.write_pdf`` minus kkguide's text-layer recording
  (``textlayer._read_runs``), which runs inside it (kkguide's tag hooks, ``tagging._tag_hooks``,
  also run inside it and are not split out: they stay in this figure);
- kkguide's own work: the recording, the tagging finish (``tagging.finish``: text layer rewrite,
  German runs, structure tree), CMYK conversion, preflight, templates, the rest of the build.

The WeasyPrint limit of issue 16 is layout + write as WeasyPrint does them; the ratio printed is
the whole build's CPU against it. One process only: a two-process CLI build adds the second
process's imports and pickling (compare ``bench_engine.py``'s full-build figure).
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    clock = time.process_time
    start = clock()
    import weasyprint

    from kkguide import build as build_mod
    from kkguide import pdf, preflight, press, render, tagging, textlayer

    imports = clock() - start
    spent: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter = collections.Counter()

    def timed(owner, name: str, key: str) -> None:
        original = getattr(owner, name)

        def wrapper(*a, **k):
            t = clock()
            try:
                return original(*a, **k)
            finally:
                spent[key] += clock() - t
                calls[key] += 1

        setattr(owner, name, wrapper)

    timed(weasyprint.HTML, "render", "weasyprint_layout")
    timed(weasyprint.Document, "write_pdf", "write_pdf")
    timed(textlayer, "_read_runs", "textlayer_recording")
    timed(tagging, "finish", "tagging_finish")
    timed(tagging, "_german_runs", "german_runs")
    timed(textlayer, "rewrite_ops", "textlayer_rewrite")
    timed(press, "to_press", "cmyk_conversion")
    timed(preflight, "preflight", "preflight")
    timed(render, "render_html", "templates")
    timed(render, "german_parts", "german_parts")
    timed(pdf, "embedded_files", "embedded_files_check")
    with tempfile.TemporaryDirectory() as out:
        t = clock()
        wall = time.perf_counter()
        report = build_mod.build(REPO, Path(out), force=True, workers=1)
        total = clock() - t
        wall = time.perf_counter() - wall
    layout = spent["weasyprint_layout"]
    write = spent["write_pdf"] - spent["textlayer_recording"]
    limit = layout + write
    result = {
        "pdfs": report.rendered, "cpu_build": total, "wall_build": wall, "imports": imports,
        "stages": dict(spent), "calls": dict(calls),
        "weasyprint_limit": {"layout": layout, "write": write, "sum": limit},
        "kkguide_outside_weasyprint": total - limit,
        "ratio_build_to_limit": total / limit,
    }
    print(f"{report.rendered} PDFs, build {total:.1f} s CPU ({wall:.1f} s wall), imports {imports:.1f} s")
    print(f"WeasyPrint: layout {layout:.1f} s + write {write:.1f} s = {limit:.1f} s")
    print(f"kkguide outside WeasyPrint: {total - limit:.1f} s ({(total - limit) / total:.0%} of the build); "
          f"build / limit = {total / limit:.2f}")
    for key, value in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {value:7.2f} s  {calls[key]:4d} calls  {key}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
