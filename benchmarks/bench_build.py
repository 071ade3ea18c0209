"""Build-engine benchmarks (issue 6). Not part of the test suite.

    .venv/bin/python benchmarks/bench_build.py [--runs 3] [--json results.json]

Every figure is the median of --runs whole-process runs on a copy of the default guide,
measured in the same invocation so that ratios compare like with like. Method and results
are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent
KKGUIDE = str(VENV / "kkguide")
WEASYPRINT = str(VENV / "weasyprint")
PARTS = ("guide", "chapters", "translations", "styles")
ONE_LANGUAGE = ("ar", "uk")  # one-language rebuilds: right-to-left, and the longest booklet


def copy_project(dest: Path, source: Path = REPO) -> Path:
    for part in PARTS:
        shutil.copytree(source / part, dest / part)
    return dest


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(runs: int, fn) -> float:
    return statistics.median(fn() for _ in range(runs))


def max_rss_mb(cmd: list[str]) -> float:
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, capture_output=True, text=True).stderr
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1)) / 1024


def write_html(root: Path, folder: Path) -> list[Path]:
    """The exact HTML kkguide renders, one file per built language, for the weasyprint CLI."""
    sys.path.insert(0, str(REPO))
    from kkguide.build import plan
    from kkguide.markdown import make_markdown
    from kkguide.project import load_catalogs, load_project, translation_for
    from kkguide.render import render_html

    project = load_project(root)
    jobs = plan(project.config, (), ("screen",))
    catalogs = load_catalogs(project, (j.language.code for j in jobs))
    files = []
    for job in jobs:
        translation = translation_for(project, job.language, catalogs[job.language.code])
        if translation.coverage.percent < project.config.required_coverage(job.language.code):
            continue
        path = folder / f"{job.language.code}.html"
        path.write_text(render_html(project.config, project.facts, project.chapters, translation,
                                    job.edition, make_markdown()), encoding="utf-8")
        files.append(path)
    return files


def stage_split(root: Path) -> dict[str, float]:
    """Serial in-process build of every language with the time of each stage."""
    sys.path.insert(0, str(REPO))
    from kkguide.build import plan
    from kkguide.markdown import make_markdown
    from kkguide.pdf import render_pdf
    from kkguide.project import load_catalogs, load_project, translation_for
    from kkguide.render import render_html

    t0 = time.perf_counter()
    project = load_project(root)
    jobs = plan(project.config, (), ("screen",))
    catalogs = load_catalogs(project, (j.language.code for j in jobs))
    t_load = time.perf_counter() - t0
    t_translate = t_html = t_pdf = 0.0
    per_language: dict[str, float] = {}
    for job in jobs:
        a = time.perf_counter()
        translation = translation_for(project, job.language, catalogs[job.language.code])
        b = time.perf_counter()
        if translation.coverage.percent < project.config.required_coverage(job.language.code):
            continue
        html = render_html(project.config, project.facts, project.chapters, translation, job.edition, make_markdown())
        c = time.perf_counter()
        render_pdf(html, root, job.filename)
        d = time.perf_counter()
        t_translate += b - a
        t_html += c - b
        t_pdf += d - c
        per_language[job.language.code] = d - a
    total = t_load + t_translate + t_html + t_pdf
    return {"load_validate_s": t_load, "translate_s": t_translate, "template_markdown_s": t_html,
            "weasyprint_s": t_pdf, "outside_weasyprint_share": (total - t_pdf) / total,
            "job_s": per_language}


class Watcher:
    """A running `kkguide watch`; ``rebuild`` times a save until the rebuild's summary line."""

    def __init__(self, root: Path, out: Path):
        self.proc = subprocess.Popen([KKGUIDE, "watch", "-C", str(root), "--out", str(out), "--edition", "screen"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self._until_built()

    def _until_built(self) -> str:
        for line in self.proc.stdout:
            if line.startswith("built "):
                return line
        raise RuntimeError("kkguide watch ended")

    def rebuild(self, po: Path) -> float:
        start = time.perf_counter()
        po.write_text(po.read_text(encoding="utf-8") + f"\n# bench {time.time_ns()}\n", encoding="utf-8")
        line = self._until_built()
        assert line.startswith("built 1,"), line
        return time.perf_counter() - start

    def worker_peak_mb(self) -> float:
        """The highest peak RSS (VmHWM) among the watch's worker processes."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        peaks = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)  # a background run inherits SIGINT ignored
        self.proc.wait(timeout=60)


def scaled_project(dest: Path, factor: int, languages: list[str], source: Path) -> Path:
    """The default guide with every chapter repeated ``factor`` times, in ``languages``."""
    root = copy_project(dest, source)
    chapters = sorted((root / "chapters").glob("*.md"))
    for copy in range(1, factor):
        for path in chapters:
            text = path.read_text(encoding="utf-8")
            number = int(path.name[:2]) + 14 * copy
            text = re.sub(r"^id: (.*)$", rf"id: \1-{copy}", text, count=1, flags=re.M)
            text = re.sub(r"^order: .*$", f"order: {number}", text, count=1, flags=re.M)
            (root / "chapters" / f"{number:02d}{path.name[2:]}").write_text(text, encoding="utf-8")
    _set_languages(root, languages)
    return root


def _set_languages(root: Path, languages: list[str]) -> None:
    guide = root / "guide/guide.yml"
    text = guide.read_text(encoding="utf-8")
    text = re.sub(r"languages:.*?\nmin_coverage:", "languages: [" + ", ".join(languages) + "]\nmin_coverage:",
                  text, flags=re.S)
    text = re.sub(r"min_coverage:.*?\ndefault_editions", "min_coverage:\n  default: 90\ndefault_editions", text, flags=re.S)
    guide.write_text(text, encoding="utf-8")
    for folder in (root / "translations").iterdir():
        if folder.is_dir() and folder.name not in languages:
            shutil.rmtree(folder)


def many_languages(dest: Path, count: int, source: Path) -> Path:
    """``count`` synthetic Latin-script languages, each a copy of the English catalog."""
    codes = ["en", "nl", "fr", "pl", "ro", "tr", "de", "it", "es", "pt", "sv", "da", "nb", "fi", "cs", "sk",
             "sl", "hr", "hu", "lt", "lv", "et", "ga", "mt", "ca", "eu", "gl", "is", "sq", "so", "sw", "af"][:count]
    root = copy_project(dest, source)
    english = (root / "translations/en/LC_MESSAGES/guide.po").read_text(encoding="utf-8")
    for code in codes:
        if code == "de":
            continue
        path = root / f"translations/{code}/LC_MESSAGES/guide.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(english.replace('"Language: en\\n"', f'"Language: {code}\\n"'), encoding="utf-8")
    _set_languages(root, codes)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "kkguide")], check=True)  # as make does
    r = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        snapshot = copy_project(tmp / "snapshot")  # the tree as it is now, for every later copy
        root = copy_project(tmp / "guide", snapshot)
        out = tmp / "dist"
        build = [KKGUIDE, "build", "-C", str(root), "--out", str(out)]
        screen = ["--edition", "screen"]  # the full-build comparisons use the screen edition
        html_dir = tmp / "html"
        html_dir.mkdir()
        files = write_html(root, html_dir)
        r["pdfs"] = len(files)

        def cli_all() -> float:
            return sum(timed([WEASYPRINT, "-u", root.as_uri() + "/", str(f), str(tmp / f"{f.stem}.pdf")]) for f in files)

        # The three full builds run in turn, run after run, and each ratio is taken within a run:
        # this shared machine drifts by several per cent over minutes, which unpaired medians mix in.
        timed([*build, *screen])  # the cache folder keeps render times: the scheduler's normal state
        runs = []
        for _ in range(max(args.runs, 5)):
            runs.append((timed([*build, *screen, "--force"]), timed([*build, *screen, "--force", "--jobs", "1"]),
                         cli_all()))
        r["full_runs_s"] = runs
        r["full_parallel_s"] = statistics.median(p for p, _, _ in runs)
        r["full_serial_s"] = statistics.median(s for _, s, _ in runs)
        r["weasyprint_cli_per_pdf_s"] = statistics.median(c for _, _, c in runs)
        r["ratio_full_vs_cli_paired"] = statistics.median(p / c for p, _, c in runs)
        r["speedup_vs_serial_paired"] = statistics.median(s / p for p, s, _ in runs)
        r["ratio_full_vs_cli"] = r["full_parallel_s"] / r["weasyprint_cli_per_pdf_s"]
        r["speedup_vs_serial"] = r["full_serial_s"] / r["full_parallel_s"]
        timed([*build, *screen])
        r["noop_s"] = median(args.runs, lambda: timed([*build, *screen]))
        r["stages"] = stage_split(root)
        jobs = r["stages"]["job_s"]
        for code in ONE_LANGUAGE:  # that language's share of the serial full build, by its job time
            r[f"share_{code}_s"] = r["full_serial_s"] * jobs[code] / sum(jobs.values())
        r["share_average_s"] = r["full_serial_s"] / r["pdfs"]
        for code in ONE_LANGUAGE:
            po = root / f"translations/{code}/LC_MESSAGES/guide.po"

            def one_language() -> float:
                po.write_text(po.read_text(encoding="utf-8") + f"\n# bench {time.time_ns()}\n", encoding="utf-8")
                return timed([*build, *screen])
            r[f"one_language_{code}_build_s"] = median(args.runs, one_language)
            r[f"ratio_{code}_build_vs_share"] = r[f"one_language_{code}_build_s"] / r[f"share_{code}_s"]
        watcher = Watcher(root, out)  # its first build reuses every cached PDF
        try:
            for code in ONE_LANGUAGE:
                po = root / f"translations/{code}/LC_MESSAGES/guide.po"
                watcher.rebuild(po)  # the first render of a language in a worker loads its fonts
                r[f"one_language_{code}_watch_s"] = median(max(args.runs, 5), lambda: watcher.rebuild(po))
                r[f"ratio_{code}_watch_vs_share"] = r[f"one_language_{code}_watch_s"] / r[f"share_{code}_s"]
            r["peak_rss_watch_worker_mb"] = watcher.worker_peak_mb()
        finally:
            watcher.stop()
        r["peak_rss_serial_worker_mb"] = max_rss_mb([*build, *screen, "--force", "--jobs", "1"])
        for edition in ("screen", "print", "office-booklet"):  # cost per booklet, one worker, German
            r[f"booklet_{edition}_s"] = median(args.runs, lambda: timed(
                [*build, "--force", "--jobs", "1", "--lang", "de", "--edition", edition]))
        r["ratio_print_vs_screen"] = r["booklet_print_s"] / r["booklet_screen_s"]
        if not args.skip_scale:
            for factor in (1, 2, 4):
                scaled = scaled_project(tmp / f"x{factor}", factor, ["de", "ar"], snapshot)
                r[f"length_x{factor}_s"] = median(args.runs, lambda: timed(
                    [KKGUIDE, "build", "-C", str(scaled), "--force", "--edition", "screen"]))
            wide = many_languages(tmp / "wide", 30, snapshot)
            r["languages_30x3_editions_s"] = median(1, lambda: timed(
                [KKGUIDE, "build", "-C", str(wide), "--force", "-e", "screen", "-e", "print", "-e", "office-booklet"]))
            r["languages_30x3_per_pdf_s"] = r["languages_30x3_editions_s"] / 90
    text = json.dumps(r, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
