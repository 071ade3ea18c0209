"""Build engine, round 2 (issue 16): HEAD against a baseline revision, in one run. Not a test.

    .venv/bin/python benchmarks/bench_engine.py [--baseline REV] [--runs 3] [--json FILE]

The baseline and HEAD (``--head``, default HEAD: commit first) are exported with
``git archive REV`` into a temp folder and run from there (PYTHONPATH, current folder); both with this venv's Python and libraries, each on a
copy of its own tree's guide. Every compared pair runs interleaved, run by run (HEAD, baseline,
HEAD, baseline ...), and ratios are taken within a run: this 2-core machine is shared and
drifts by several per cent over minutes. Each figure is a whole ``kkguide`` process: wall time
(perf_counter) and CPU time of its whole process tree (user + sys from ``wait4``, which includes
the worker processes it waited for).

Measured:
- full default build (``build --force``): wall and CPU, HEAD and baseline;
- each edition of one language alone (``--jobs 1 --force``): CPU, HEAD and baseline;
- the "limit", in-process and warm with HEAD's code: one layout per distinct layout
  plus one write per PDF, per language (also: one write per layout only, the literal reading).
  Its screen write is ``pdf.write(..., "pdf/ua-1")``, which includes kkguide's text-layer
  recording and tagging finish: not WeasyPrint alone. ``bench_stages.py`` splits WeasyPrint's
  layout and write from kkguide's work (docs/benchmarks.md, "Correction (2026-12-02)");
- the CMYK conversion of one print PDF, baseline's press against HEAD's, in-process;
- the bilingual edition's bytes per page against the screen edition's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARTS = ("guide", "chapters", "translations", "styles")


def export(rev: str, dest: Path) -> Path:
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def project_copy(code: Path, dest: Path) -> Path:
    for part in PARTS:
        shutil.copytree(code / part, dest / part)
    return dest


def run(code: Path, args: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall s, CPU s of the process tree) of ``python -m kkguide.cli ARGS`` with ``code`` first on
    the path."""
    environment = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    start = time.perf_counter()
    # run from the code's own folder: `python -m` puts the current folder first on the path
    proc = subprocess.Popen([sys.executable, "-m", "kkguide.cli", *args], env=environment, cwd=code,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"failed: {args}: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def limit_in_process(project: Path) -> dict:
    """Run in a child with HEAD's code: per language, warm, CPU seconds of one layout of the guide,
    one tagged write of it, one print write (x-4, with bleed) of its booklet; and the CMYK
    conversion of that print PDF by baseline's and HEAD's press (``BASE_PRESS``)."""
    import importlib.util

    from kkguide.build import Layouts, LayoutGroup, plan
    from kkguide.pdf import with_bleed, write
    from kkguide.press import to_press
    from kkguide.project import load_catalogs, load_project, translation_for

    spec = importlib.util.spec_from_file_location("base_press", os.environ["BASE_PRESS"])
    base_press = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base_press)
    clock = time.process_time
    root = Path(project)
    loaded = load_project(root)
    config = loaded.config
    jobs = plan(config, (), config.default_editions)
    catalogs = load_catalogs(loaded, {j.language.code for j in jobs})
    out: dict = {"languages": {}}
    warmed = False
    for lang in dict.fromkeys(j.language.code for j in jobs):
        language = config.language(lang)
        translation = translation_for(loaded, language, catalogs[lang])
        if translation.coverage.percent < config.required_coverage(lang):
            continue
        editions = [j for j in jobs if j.language.code == lang]
        group = LayoutGroup(language, tuple(editions))
        if not warmed:  # the first layout in a process loads fonts
            Layouts(loaded, group, translation)
            warmed = True
        t = clock()
        layouts = Layouts(loaded, group, translation)
        layout = clock() - t
        t = clock()
        write(layouts.guide, "pdf/ua-1")
        screen_write = clock() - t
        row = {"layout": layout, "screen_write": screen_write}
        printed = next((j for j in editions if j.edition.is_print), None)
        if printed is not None:
            booklet = layouts.booklet(printed)
            profile = config.files.read_bytes(str(printed.edition.output_profile), "profile")
            t = clock()
            data = write(with_bleed(booklet, printed.edition.bleed_mm, profile, "p"), "pdf/x-4").data
            row["print_write"] = clock() - t
            t = clock()
            to_press(data, profile, printed.edition.output_condition)
            row["press_head"] = clock() - t
            t = clock()
            base_press.to_press(data, profile, printed.edition.output_condition)
            row["press_base"] = clock() - t
        out["languages"][lang] = row
    return out


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--head", default="HEAD", help="the revision to measure (exported like the baseline)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--edition-lang", default="de")
    parser.add_argument("--limit-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.limit_worker:
        print(json.dumps(limit_in_process(args.limit_worker)))
        return
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.baseline], check=True,
                         capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.head], check=True,
                          capture_output=True, text=True).stdout.strip()
    results: dict = {"baseline": rev, "head": head, "runs": args.runs}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base_code = export(rev, tmp / "base-code")
        codes = {"head": export(head, tmp / "head-code"), "base": base_code}
        projects = {name: project_copy(code, tmp / f"{name}-project") for name, code in codes.items()}

        def build(name: str, *extra: str) -> tuple[float, float]:
            return run(codes[name], ["-C", str(projects[name]), "build", "--out", str(tmp / f"{name}-out"),
                                     "--force", *extra])

        # one unmeasured build each: byte code compiled, fonts cached, caches warm
        for name in codes:
            build(name, "--lang", args.edition_lang, "--jobs", "1")

        full = {"head": [], "base": []}
        for i in range(args.runs):
            for name in ("head", "base"):
                wall, cpu = build(name)
                full[name].append({"wall": wall, "cpu": cpu})
                print(f"full build run {i + 1} {name}: wall {wall:.1f} s, CPU {cpu:.1f} s", flush=True)
        results["full"] = full
        results["full_ratios"] = [{"wall": h["wall"] / b["wall"], "cpu": h["cpu"] / b["cpu"]}
                                  for h, b in zip(full["head"], full["base"])]

        editions = {name: {e: [] for e in ("screen", "print", "office-booklet")} for name in codes}
        for i in range(args.runs):
            for edition in ("screen", "print", "office-booklet"):
                for name in ("head", "base"):
                    _, cpu = build(name, "--lang", args.edition_lang, "--edition", edition, "--jobs", "1")
                    editions[name][edition].append(cpu)
            print(f"editions run {i + 1}: " + ", ".join(f"{n} {e} {v[-1]:.2f} s" for n in editions
                                                       for e, v in editions[n].items()), flush=True)
        results["editions"] = editions

        env = {**os.environ, "PYTHONPATH": str(codes["head"]), "BASE_PRESS": str(base_code / "kkguide/press.py")}
        limit = json.loads(subprocess.run([sys.executable, str(codes["head"] / "benchmarks/bench_engine.py"),
                                           "--limit-worker", str(projects["head"])],
                                          env=env, cwd=codes["head"], check=True, capture_output=True, text=True).stdout)
        results["limit"] = limit

        sizes = {}
        for name in codes:
            out = tmp / f"{name}-sizes"
            run(codes[name], ["-C", str(projects[name]), "build", "--out", str(out), "--edition", "screen",
                              "--edition", "bilingual", "--lang", "ar", "--lang", "uk", "--lang", "ti"])
            manifest = json.loads((out / "manifest.json").read_text())
            sizes[name] = {f"{a['language']}/{a['edition']}": {"bytes": a["bytes"], "pages": a["pages"]}
                           for a in manifest["artifacts"]}
        results["sizes"] = sizes
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


def report(r: dict) -> None:
    print(f"\nHEAD {r['head']} against baseline {r['baseline']}, {r['runs']} runs\n")
    print("| run | HEAD wall | baseline wall | wall ratio | HEAD CPU | baseline CPU | CPU ratio |")
    print("|---|---|---|---|---|---|---|")
    for i, (h, b, q) in enumerate(zip(r["full"]["head"], r["full"]["base"], r["full_ratios"]), 1):
        print(f"| {i} | {h['wall']:.1f} s | {b['wall']:.1f} s | {q['wall']:.2f} | {h['cpu']:.1f} s | "
              f"{b['cpu']:.1f} s | {q['cpu']:.2f} |")
    med = lambda rows, key: median([x[key] for x in rows])  # noqa: E731
    print(f"| median | {med(r['full']['head'], 'wall'):.1f} s | {med(r['full']['base'], 'wall'):.1f} s | "
          f"{med(r['full_ratios'], 'wall'):.2f} | {med(r['full']['head'], 'cpu'):.1f} s | "
          f"{med(r['full']['base'], 'cpu'):.1f} s | {med(r['full_ratios'], 'cpu'):.2f} |\n")
    print("| edition (one language, --jobs 1) | HEAD CPU | against screen | baseline CPU | against screen |")
    print("|---|---|---|---|---|")
    for edition in ("screen", "print", "office-booklet"):
        h, b = median(r["editions"]["head"][edition]), median(r["editions"]["base"][edition])
        hs, bs = median(r["editions"]["head"]["screen"]), median(r["editions"]["base"]["screen"])
        print(f"| {edition} | {h:.2f} s | {h / hs:.2f} | {b:.2f} s | {b / bs:.2f} |")
    rows = r["limit"]["languages"].values()
    layouts = sum(x["layout"] for x in rows)
    screen_writes = sum(x["screen_write"] for x in rows)
    print_writes = sum(x.get("print_write", 0) for x in rows)
    per_pdf = layouts + screen_writes + print_writes
    literal = layouts + screen_writes
    cpu = med(r["full"]["head"], "cpu")
    print(f"\nlimit (warm, in-process, {len(r['limit']['languages'])} languages): layouts {layouts:.1f} s, "
          f"screen writes {screen_writes:.1f} s, print writes {print_writes:.1f} s")
    print(f"full build CPU / (one layout per distinct layout + one write per PDF) = {cpu:.1f} / {per_pdf:.1f} = "
          f"{cpu / per_pdf:.2f}")
    print(f"full build CPU / (one layout + one write per distinct layout) = {cpu:.1f} / {literal:.1f} = "
          f"{cpu / literal:.2f}")
    press_h = sum(x.get("press_head", 0) for x in rows)
    press_b = sum(x.get("press_base", 0) for x in rows)
    print(f"CMYK conversion of every print PDF: baseline {press_b:.2f} s, HEAD {press_h:.2f} s, "
          f"{press_b / press_h:.2f}x cheaper\n")
    print("| PDF | HEAD bytes/page | baseline bytes/page |\n|---|---|---|")
    for key in sorted(r["sizes"]["head"]):
        h, b = r["sizes"]["head"][key], r["sizes"]["base"].get(key)
        print(f"| {key} | {h['bytes'] / h['pages']:.0f} ({h['pages']} p) | "
              + (f"{b['bytes'] / b['pages']:.0f} ({b['pages']} p) |" if b else "— |"))
    for lang in sorted({k.split("/")[0] for k in r["sizes"]["head"]}):
        s, bl = r["sizes"]["head"].get(f"{lang}/screen"), r["sizes"]["head"].get(f"{lang}/bilingual")
        if s and bl:
            print(f"{lang}: bilingual / screen bytes per page = {(bl['bytes'] / bl['pages']) / (s['bytes'] / s['pages']):.2f}")


if __name__ == "__main__":
    main()
