"""Command line: the only module that prints."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import click

from .build import Job, build, default_workers, plan
from .config import PAGE_SIZES, load_config
from .errors import KkguideError
from .handoff import FORMATS
from .init import NewGuide

# Commands import the stages they use when they run: `kkguide build` does not load pikepdf,
# segno or the web writer before it starts its workers (~0.1 s).


class Group(click.Group):
    """Unexpected errors: one line, and the traceback only with -v."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `kkguide status | head`: the reader has gone, nothing to report
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None
        except Exception as exc:  # noqa: BLE001 - this is the last line of defence
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            raise click.ClickException(f"internal error: {type(exc).__name__}: {exc} (run with -v for details)")


CONTEXT = {"help_option_names": ["-h", "--help"]}


def _guide_of(ctx: click.Context):
    """The configuration of the guide a command line names (``-C DIR`` after or before the
    command, else the current folder), for shell completion; None when there is none."""
    root = None
    while ctx is not None and root is None:   # a command's own -C first, then the group's
        if ctx.get_parameter_source("root") == click.core.ParameterSource.COMMANDLINE:
            root = ctx.params.get("root")
        ctx = ctx.parent
    try:
        return load_config(Path(root or "."))
    except (KkguideError, OSError):
        return None


def _complete_lang(ctx: click.Context, param, incomplete: str) -> list[str]:
    config = _guide_of(ctx)
    return [] if config is None else [lang.code for lang in config.languages if lang.code.startswith(incomplete)]


def _complete_edition(ctx: click.Context, param, incomplete: str) -> list[str]:
    config = _guide_of(ctx)
    return [] if config is None else [name for name in config.editions if name.startswith(incomplete)]


def _project_root(ctx: click.Context, param, value: Path | None) -> Path:
    """``-C DIR`` after the command, else ``kkguide -C DIR``, else the current folder."""
    if value is not None:
        return value
    return (ctx.find_root().obj or {}).get("root") or Path(".")


project_option = click.option("--project", "-C", "root", type=click.Path(file_okay=False, path_type=Path),
                              default=None, callback=_project_root, expose_value=True,
                              help="Project folder (with guide/ and chapters/); also `kkguide -C DIR COMMAND`.")


class FormatChoice(click.Choice):
    """text or json; older spellings (status's ``table``) are accepted without being shown."""

    ALIASES = {"table": "text"}

    def convert(self, value, param, ctx):
        return super().convert(self.ALIASES.get(value, value), param, ctx)


def format_option(command):
    return click.option("--format", "fmt", type=FormatChoice(["text", "json"]), default="text", show_default=True,
                        help="text for people, json for scripts.")(command)


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def build_target_options(command):
    """--lang, --edition and --out, shared by `build` and `watch`."""
    for option in reversed([
        click.option("--lang", "-l", "langs", shell_complete=_complete_lang, multiple=True, help="Language code (repeatable; default: all)."),
        click.option("--edition", "-e", "editions", shell_complete=_complete_edition, multiple=True, help="Edition (repeatable; default: guide.yml)."),
        click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Output folder (default: PROJECT/dist)."),
    ]):
        command = option(command)
    return command


@click.group(cls=Group, context_settings=CONTEXT)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--project", "-C", "root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder (default: the current folder).")
@click.version_option(package_name="kkguide")
@click.pass_context
def main(ctx: click.Context, verbose: bool, root: Path | None) -> None:
    """kkguide: build the Kreis Kleve Welcome Guide in every language."""
    ctx.obj = {"verbose": verbose, "root": root}


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--from", "source", type=click.Choice(["kleve", "blank"]), default="kleve", show_default=True,
              help="kleve: a copy of the shipped Kreis Kleve guide; blank: a small guide of your own.")
@click.option("--office", default=NewGuide.office, show_default=True, help="blank: the publishing office's name.")
@click.option("--address", default=NewGuide.address, show_default=True, help="blank: the office's postal address.")
@click.option("--title", default=NewGuide.title, show_default=True, help="blank: the guide's title (German).")
@click.option("--subtitle", default=NewGuide.subtitle, show_default=True, help="blank: the subtitle (German).")
@click.option("--lang", "-l", "langs", multiple=True,
              help="blank: a language of the guide besides German (repeatable; default: en, ar, uk).")
@click.option("--file-name", default="", help="blank: start of the PDFs' file names (default: FOLDER-welcome-guide).")
def init_cmd(folder: Path, source: str, office: str, address: str, title: str, subtitle: str,
             langs: tuple[str, ...], file_name: str) -> None:
    """Start a new guide in FOLDER (new or empty): the Kleve example, or a blank guide with its own
    name, languages, theme (guide.yml) and placeholder contacts, that builds at once."""
    from .config import build_day
    from .init import init_guide

    ctx = click.get_current_context()
    given = [name for name in ("office", "address", "title", "subtitle", "langs", "file_name")
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
    if source == "kleve" and given:
        raise KkguideError(f"--{given[0].replace('_', '-').rstrip('s')} is for --from blank: --from kleve copies the "
                           "shipped guide as it is")
    settings = NewGuide(office, address, title, subtitle, ("de", *langs) if langs else NewGuide.languages, file_name)
    created = init_guide(folder, source, settings, build_day())
    click.echo(f"{created.folder}/: new guide from '{created.source}', {created.files} files, "
               f"languages {', '.join(created.languages)}")
    click.echo(f"next: kkguide -C {created.folder} build   (or serve, for the web edition with live reload)")


@main.command("build")
@project_option
@build_target_options
@click.option("--jobs", "-j", "workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: number of cores).")
@click.option("--force", is_flag=True, help="Render everything, ignoring the cache.")
def build_cmd(root: Path, langs: tuple[str, ...], editions: tuple[str, ...], out: Path | None,
              workers: int | None, force: bool) -> None:
    """Build PDFs into the output folder and write manifest.json."""
    out = out or root / "dist"
    jobs = plan(_checked_config(root, langs, editions), langs, editions)
    start = time.perf_counter()
    with _progress(len(jobs)) as shown:
        report = build(root, out, langs, editions, workers=workers or default_workers(), force=force,
                       report=shown.step, progress=shown.event, notify=lambda message: click.echo(message, err=True))
    seconds = time.perf_counter() - start
    _print_report(report, seconds, out, show_reused=True)
    _print_reasons(report, verbose=bool((click.get_current_context().find_root().obj or {}).get("verbose")))
    if not report.results:
        config = load_config(root)
        raise KkguideError("nothing was built: every requested language is below its min_coverage",
                           config.located.path, config.located.line("min_coverage"))


def _print_report(report, seconds: float, out: Path, show_reused: bool) -> None:
    results = report.results
    for skipped in report.skipped:
        click.echo(f"  skipped: {skipped.reason}", err=True)
    for r in results:
        if r.reused and not show_reused:
            continue
        note = f", {r.fallbacks} message(s) shown in German" if r.fallbacks else ""
        click.echo(f"  {r.artifact.path}: {r.artifact.pages} pages{note}{' (reused)' if r.reused else ''}")
        for warning in r.warnings:
            click.echo(f"  warning: {r.job.label}: {warning}", err=True)
    pages = sum(r.artifact.pages for r in results if not r.reused)
    click.echo(f"built {report.rendered}, reused {len(results) - report.rendered}, skipped {len(report.skipped)}, "
               f"failed 0 in {seconds:.1f} s ({pages / seconds:.1f} pages/s rendered) -> {out}/")


def _print_reasons(report, verbose: bool) -> None:
    """Why PDFs were rendered: the changed inputs, counted over all PDFs (each PDF with -v)."""
    rendered = [r for r in report.results if not r.reused]
    if verbose:
        for r in rendered:
            click.echo(f"  rendered {r.job.label}: {'; '.join(r.reasons[:5])}"
                       + (f" and {len(r.reasons) - 5} more" if len(r.reasons) > 5 else ""))
    counts: dict[str, int] = {}
    for r in rendered:
        for reason in r.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    if counts:
        shown = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        text = "; ".join(f"{reason} ({n} PDF{'s' if n > 1 else ''})" for reason, n in shown[:4])
        more = f"; {len(shown) - 4} more (kkguide -v build)" if len(shown) > 4 else ""
        click.echo(f"why: {text}{more}")


@main.command("clean")
@project_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist).")
def clean_cmd(root: Path, out: Path | None) -> None:
    """Delete the build cache of the output folder (published PDFs stay)."""
    from .cache import CACHE_DIR, clean
    from .fsio import output_lock

    out = out or root / "dist"
    files, freed = 0, 0
    if (out / CACHE_DIR).is_dir():
        with output_lock(out, lambda message: click.echo(message, err=True)):  # not while a build writes
            files, freed = clean(out)
    click.echo(f"removed {files} file(s), {freed / 1e6:.1f} MB from {out / CACHE_DIR}/")


@main.command("watch")
@project_option
@build_target_options
@click.option("--jobs", "-j", "workers", type=click.IntRange(min=1), default=None,
              help="Worker processes, kept warm between rebuilds (default: number of cores).")
@click.option("--interval", type=click.FloatRange(min=0.02, max=10), default=0.1, show_default=True,
              help="Seconds between two looks at the source folders.")
def watch_cmd(root: Path, langs: tuple[str, ...], editions: tuple[str, ...], out: Path | None,
              workers: int | None, interval: float) -> None:
    """Build, then rebuild what a saved change affects, with warm workers, until Ctrl-C."""
    from .watch import WATCHED, WatchOptions, watch

    out = out or root / "dist"
    _checked_config(root, langs, editions)  # unknown languages and editions stop here, before any work
    options = WatchOptions(langs, editions, workers or default_workers(), interval)

    def on_cycle(cycle) -> None:
        if cycle.changed:
            shown = ", ".join(cycle.changed[:5]) + (f" and {len(cycle.changed) - 5} more" if len(cycle.changed) > 5 else "")
            click.echo(f"changed: {shown}")
        if cycle.error is not None:
            click.echo(f"not built: {cycle.error.format_message()}", err=True)
        else:
            _print_report(cycle.report, cycle.seconds, out, show_reused=not cycle.changed)
            _print_reasons(cycle.report, verbose=False)
        click.echo(f"watching {', '.join(f + '/' for f in WATCHED)} (Ctrl-C to stop)", err=True)

    def stop(signum, frame):  # `kill`, a service manager or a closing session: stop as on Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        watch(root, out, options, on_cycle, notify=lambda message: click.echo(message, err=True))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command("serve")
@project_option
@click.option("--lang", "-l", "langs", shell_complete=_complete_lang, multiple=True, help="Language code (repeatable; default: all).")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist/web, as `kkguide web`).")
@click.option("--interval", type=click.FloatRange(min=0.02, max=10), default=0.1, show_default=True,
              help="Seconds between two looks at the source folders.")
def serve_cmd(root: Path, langs: tuple[str, ...], port: int, out: Path | None, interval: float) -> None:
    """The web edition on http://127.0.0.1:PORT/, rebuilt on every save; open pages reload by
    themselves (only served pages get the reload script; the files stay as `kkguide web` writes them)."""
    from .serve import serve
    from .watch import WATCHED

    _check_langs(load_config(root), langs)

    def on_cycle(cycle) -> None:
        if cycle.changed:
            click.echo(f"changed: {', '.join(cycle.changed[:5])}" + (f" and {len(cycle.changed) - 5} more"
                                                                      if len(cycle.changed) > 5 else ""))
        if cycle.error is not None:
            click.echo(f"not built: {cycle.error.format_message()}", err=True)
        else:
            skipped = f"; not published (below min_coverage): {', '.join(cycle.skipped)}" if cycle.skipped else ""
            click.echo(f"built the web edition in {cycle.seconds:.1f} s: {', '.join(cycle.languages)}{skipped}")
        click.echo(f"watching {', '.join(f + '/' for f in WATCHED)} (Ctrl-C to stop)", err=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(root, out or root / "dist" / "web", on_cycle, port, langs, interval,
              on_ready=lambda url: click.echo(f"serving {url} (only on this computer)", err=True))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _checked_config(root: Path, langs=(), editions=()):
    """guide.yml, with the languages and editions named on the command line checked against it."""
    config = load_config(root)
    _check_langs(config, langs)
    known = list(config.editions)
    for name in editions:
        if name not in known:
            raise KkguideError(f"--edition {name}: unknown edition '{name}' (this guide has: {', '.join(known)}; "
                               f"{config.located.path} 'editions')")
    return config


def _not_source(config, code: str, why: str) -> None:
    if code == config.source_language.code:
        raise KkguideError(f"--lang {code}: '{code}' is the source language: {why}")


def _check_langs(config, codes, option: str = "--lang") -> None:
    """Languages named on the command line: an unknown one is an error of the command line."""
    known = [lang.code for lang in config.languages]
    for code in codes:
        if code not in known:
            raise KkguideError(f"{option} {code}: unknown language '{code}' (this guide has: {', '.join(known)}; "
                               f"{config.located.path} 'languages')")


class _progress:
    """On a terminal, one line redrawn twice a second: while the build prepares, what it does
    (cache look-up, validation, starting workers, checks); then a bar, the PDFs done, the groups
    rendering now and the time left (``kkguide.progress.Forecast``, from the render times the
    cache folder records). Elsewhere (a log, CI): one plain line per finished PDF."""

    TICK = 0.5

    def __init__(self, total: int, stream=None, tty: bool | None = None, clock=time.monotonic):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock, self.begun = clock, clock()
        self.stage, self.forecast, self.running = "reading guide/guide.yml", None, []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker = None

    def __enter__(self):
        if self.tty:
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()
        return self

    def _tick(self) -> None:
        while not self.stopped.wait(self.TICK):
            self.draw()

    def step(self, job: Job) -> None:
        """``build``'s report callback: a PDF is done (rendered, reused or skipped)."""
        with self.lock:
            self.done += 1
        if self.tty:
            self.draw()
        else:
            click.echo(f"[{self.done}/{self.total}] {job.label}", err=True)

    def event(self, event) -> None:
        """``build``'s progress callback (kkguide.progress events)."""
        from .progress import Finished, Forecast, Planned, Stage, Started

        with self.lock:
            if isinstance(event, Stage):
                self.stage = event.text
            elif isinstance(event, Planned):
                self.forecast, self.stage = Forecast(event), ""
            elif isinstance(event, Started):
                self.running.append(event.label)
                if self.forecast is not None:
                    self.forecast.start(event.label, self.clock())
            elif isinstance(event, Finished):
                if event.label in self.running:
                    self.running.remove(event.label)
                if self.forecast is not None:
                    self.forecast.finish(event.label, event.seconds)
        if self.tty:
            self.draw()

    def line(self, width: int = 0) -> str:
        with self.lock:
            elapsed = self.clock() - self.begun
            if self.forecast is None or self.stage:
                return f"{self.stage} ... ({elapsed:.0f} s)"
            filled = round(24 * self.done / max(self.total, 1))
            left = self.forecast.left(self.clock())
            eta = "estimating the time left" if left is None else f"about {left:.0f} s left"
            # the time left before the list of what renders: a narrow terminal cuts the list, not the estimate
            head = f"[{'#' * filled}{'-' * (24 - filled)}] {self.done}/{self.total} PDFs  {eta}"
            now = f"  rendering: {', '.join(self.running)}" if self.running else ""
            if width and len(head + now) > width:   # too narrow for the editions: the languages alone
                now = f"  rendering: {', '.join(label.split('/')[0] for label in self.running)}"
            return head + now

    def draw(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r" + self.line(width)[:width] + "\x1b[K")
        self.stream.flush()

    def __exit__(self, *exc):
        self.stopped.set()
        if self.ticker is not None:
            self.ticker.join()
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        return False


@main.command("extract")
@project_option
def extract_cmd(root: Path) -> None:
    """Write translations/guide.pot from the chapters, guide.yml and templates."""
    from .catalogs import POT_FILE, make_template, write_if_changed
    from .project import load_project

    project = load_project(root)
    changed = write_if_changed(project.config.files, POT_FILE, make_template(project.config, project.segments, project.ui))
    count = len(project.messages)
    click.echo(f"{POT_FILE}: {count} messages ({'written' if changed else 'unchanged'})")


@main.command("update")
@project_option
@click.option("--lang", "-l", "langs", shell_complete=_complete_lang, multiple=True, help="Language code (repeatable; default: all targets).")
def update_cmd(root: Path, langs: tuple[str, ...]) -> None:
    """Extract, then create or update every catalog; no translation is ever dropped."""
    from .catalogs import POT_FILE, make_template, po_file, update_catalog, write_if_changed
    from .project import load_project

    config = _checked_config(root, langs)
    for code in langs:
        _not_source(config, code, "it has no catalog; `kkguide extract` writes its messages to translations/guide.pot")
    project = load_project(root, config)
    targets = config.targets(langs)
    write_if_changed(config.files, POT_FILE, make_template(config, project.segments, project.ui))
    for lang in targets:
        click.echo(f"{po_file(lang.code)}: {update_catalog(config.files, lang)}")


@main.command("check")
@project_option
@click.option("--lang", "-l", "langs", shell_complete=_complete_lang, multiple=True, help="Language code (repeatable; default: all targets).")
@click.option("--no-spelling", is_flag=True, help="Skip the hunspell spelling report.")
@format_option
def check_cmd(root: Path, langs: tuple[str, ...], no_spelling: bool, fmt: str) -> None:
    """Check every translation against its German source: references, numbers, URLs, Markdown
    (refused by the build), the language of each message and the glossary (errors here), and
    spelling (a report)."""
    from .catalogs import load_catalog
    from .checks import problems, prose
    from .glossary import glossary_problems
    from .langcheck import MIN_LETTERS, wrong_language
    from .project import load_project, translation_for
    from .readability import is_german, policy_problems
    from .spelling import misspelled, words

    project = load_project(root)
    config = project.config
    _check_langs(config, langs)
    targets = config.targets(langs)
    glossary = project.glossary
    found: list[dict] = []

    def report(path: str, line: int, code: str, check: str, message: str, shown: str) -> None:
        found.append({"file": path, "line": line, "language": code, "check": check, "message": message})
        if fmt == "text":
            click.echo(f"{path}:{line}: {code}: {shown}")
    wording = set().union(*(words(w) for t in glossary.terms for w in t.required.values())) if glossary.terms else set()
    codes = tuple(lang.code for lang in config.target_languages)
    current = project.messages
    refused = wrong = terms = spelled = 0
    unchecked = []
    for lang in targets:
        catalog = load_catalog(config.files, lang.code)
        entries = [e for e in catalog.entries.values() if e.key in current and e.msgstr and not e.fuzzy]
        for entry in entries:
            where = (catalog.path, entry.line, lang.code)
            for problem in problems(entry.msgid, entry.msgstr):
                report(*where, "refused", problem, problem)
                refused += 1
            reads_as = wrong_language(lang.code, codes, prose(entry.msgid, entry.msgstr))
            if (entry.msgstr == entry.msgid and sum(ch.isalpha() for ch in entry.msgid) >= MIN_LETTERS
                    and not is_german(lang.code)):  # easy German may keep a sentence that is easy already
                reads_as = "the German source, copied unchanged"
            if reads_as:
                report(*where, "wrong language", f"this reads as {reads_as}", f"wrong language: this reads as {reads_as}")
                wrong += 1
            for problem in glossary_problems(glossary, lang.code, entry.msgid, entry.msgstr):
                report(*where, "glossary", problem, problem)
                terms += 1
        if no_spelling:
            continue
        unknown = misspelled(lang.code, [prose(e.msgid, e.msgstr) for e in entries])
        if unknown is None:
            unchecked.append(lang.code)
            continue
        for entry, bad in zip(entries, unknown):
            bad = [w for w in bad if w.casefold() not in wording]
            if bad:
                report(catalog.path, entry.line, lang.code, "spelling", ", ".join(bad),
                       f"spelling (report only): {', '.join(bad)}")
                spelled += 1
    for lang in [config.source_language, *targets]:  # the readability policy of German editions
        if lang.code in config.min_readability:
            catalog = None if lang.code == config.source_language.code else load_catalog(config.files, lang.code)
            for problem in policy_problems(config, project.segments, translation_for(project, lang, catalog)):
                report(config.located.path, config.located.line('min_readability', lang.code), lang.code,
                       "readability", problem, problem)
                refused += 1
    if fmt == "json":
        _emit_json({"findings": found, "spelling_not_checked": unchecked,
                    "counts": {"refused": refused, "wrong_language": wrong, "glossary": terms, "spelling": spelled}})
    else:
        if unchecked:
            click.echo(f"spelling not checked (no hunspell dictionary installed): {', '.join(unchecked)}")
        click.echo(f"checked {len(targets)} catalog(s): {refused} refused by the build, {wrong} in the wrong language, "
                   f"{terms} glossary, {spelled} with spelling to look at")
    if refused or wrong:
        raise KkguideError(f"{refused + wrong} problem(s) in {len(targets)} catalog(s)"
                           + ("; the refused translations are not used" if refused else ""))


@main.command("glossary")
@project_option
@click.option("--tbx", "tbx_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the glossary as TBX (for CAT tools) to this file.")
def glossary_cmd(root: Path, tbx_path: Path) -> None:
    """Export guide/glossary.yml as TBX."""
    from .fsio import atomic_write
    from .glossary import load_glossary, tbx_text

    config = load_config(root)
    glossary = load_glossary(config.files, {lang.code for lang in config.languages})
    atomic_write(tbx_path, tbx_text(glossary, config.source_language.code).encode("utf-8"))
    click.echo(f"{tbx_path}: {len(glossary.terms)} terms")


@main.group("translate", context_settings=CONTEXT)
def translate_group() -> None:
    """Hand catalogs to translators and take their work back."""


@translate_group.command("export")
@project_option
@click.option("--lang", "-l", "lang", shell_complete=_complete_lang, required=True, help="Language code.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="po", show_default=True,
              help="po (Poedit, Weblate) or xliff (XLIFF 1.2 for CAT tools).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist/translate).")
def export_cmd(root: Path, lang: str, fmt: str, out: Path | None) -> None:
    """Write what a translator or agency needs for one language."""
    from .handoff import export_catalog
    from .project import load_project

    config = _checked_config(root, [lang])
    _not_source(config, lang, "translators translate from it; send them a translation's catalog (e.g. --lang "
                f"{config.target_languages[0].code if config.target_languages else 'en'}), or translations/guide.pot "
                "(written by `kkguide extract`) to start a new language")
    project = load_project(root, config)
    code = project.config.language(lang).code
    target, todo = export_catalog(project, code, fmt, out or root / "dist" / "translate")
    click.echo(f"{target}: {len(project.messages)} messages, {todo} to translate or review")


@translate_group.command("import")
@project_option
@click.option("--lang", "-l", "lang", shell_complete=_complete_lang, required=True, help="Language code.")
@click.option("--translator", default="", help="Who translated (default: the file's Last-Translator or XLIFF phase contact).")
@click.argument("returned", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(root: Path, lang: str, translator: str, returned: Path) -> None:
    """Merge RETURNED, a PO or XLIFF file back from the translator, into the catalog, through the
    same checks as the build."""
    from .catalogs import po_file
    from .handoff import import_file
    from .project import load_project

    config = _checked_config(root, [lang])
    _not_source(config, lang, "a returned translation goes into the catalog of its own language (--lang CODE)")
    project = load_project(root, config)
    code = project.config.language(lang).code
    report = import_file(project.config.files, code, returned, translator)
    for line in report.problems:
        click.echo(line)
    who = f", translator {report.translator}" if report.translator else ", translator not named (--translator)"
    click.echo(f"{po_file(code)}: imported {report.imported}, unchanged {report.unchanged}, "
               f"empty {report.empty}, not taken {len(report.problems)}, notes kept {report.notes}{who}")
    if report.problems:
        raise KkguideError(f"{len(report.problems)} problem(s): those units were not imported (listed above)")


@main.command("preflight")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Old spelling of --format json.")
@click.option("--size", type=click.Choice(sorted(PAGE_SIZES)), default="A5", show_default=True, help="Trim format.")
@click.option("--bleed", type=float, default=3.0, show_default=True, help="Bleed in millimetres.")
@click.option("--min-dpi", type=int, default=300, show_default=True, help="Lowest image resolution.")
def preflight_cmd(paths: tuple[Path, ...], fmt: str, as_json: bool, size: str, bleed: float, min_dpi: int) -> None:
    """Check finished print PDFs (PATHS: PDF files) as a print shop does; exit 1 if any fails."""
    from .preflight import PrintSpec, preflight, reports_json

    from .files import read_input

    spec = PrintSpec(PAGE_SIZES[size], bleed, min_dpi)
    reports = [preflight(read_input(path, "pdf"), spec, str(path)) for path in paths]
    click.echo(reports_json(reports) if as_json or fmt == "json" else "\n".join(r.text() for r in reports))
    failed = [r.path for r in reports if not r.ok]
    if failed:
        raise KkguideError(f"preflight failed for {len(failed)} of {len(reports)} file(s)")


@main.command("proof")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("proof"), show_default=True,
              help="Folder for the contact sheets and page reports.")
@format_option
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Old spelling of --format json.")
def proof_cmd(paths: tuple[Path, ...], out: Path, fmt: str, as_json: bool) -> None:
    """Contact sheet (every page as a thumbnail) and page report (fill, breaks) of finished PDFs
    (PATHS: PDF files)."""
    from .files import read_input
    from .proof import proof

    reports = [proof(read_input(path, "pdf"), str(path), out, path.stem) for path in paths]
    if as_json or fmt == "json":
        click.echo("[" + ",\n".join(r.as_json() for r in reports) + "]")
        return
    for report in reports:
        click.echo(report.text())
        click.echo("  sheets: " + ", ".join(str(out / name) for name in report.sheets))


@main.command("check-pdf")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
def check_pdf_cmd(paths: tuple[Path, ...], fmt: str) -> None:
    """Check PDFs (PATHS: PDF files) against PDF/UA-1 (the Matterhorn Protocol's machine-testable conditions);
    exit 1 if any fails. What needs a person: docs/accessibility.md."""
    from .files import read_input
    from .uacheck import check_pdf

    failed, reports = 0, []
    for path in paths:
        findings = check_pdf(read_input(path, "pdf"))
        reports.append({"path": str(path), "ok": not findings,
                        "findings": [{"condition": f.condition, "message": f.message, "page": f.page} for f in findings]})
        if fmt == "text":
            for finding in findings:
                click.echo(f"{path}: {finding.text()}")
            click.echo(f"{path}: {'ok' if not findings else f'{len(findings)} failure(s)'}")
        failed += bool(findings)
    if fmt == "json":
        _emit_json(reports)
    if failed:
        raise KkguideError(f"PDF/UA check failed for {failed} of {len(paths)} file(s)")


@main.command("package")
@project_option
@click.option("--order", "order_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="order.yml: order id, paper, quantities per language.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist); the zip goes to OUT/orders/.")
@click.option("--jobs", "-j", "workers", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option("--allow-drafts", is_flag=True,
              help="Package draft content anyway (unreviewed text, draft translations, unconfirmed facts): "
                   "the ticket then says DRAFT and every file name ends in -DRAFT.")
def package_cmd(root: Path, order_path: Path, out: Path | None, workers: int | None, allow_drafts: bool) -> None:
    """Write one zip for the print shop: PDFs, job ticket, checksums, preflight report, thumbnails."""
    from .package import make_package, ticket_text

    target, ticket = make_package(root, out or root / "dist", order_path, workers or default_workers(),
                                  notify=lambda message: click.echo(message, err=True), allow_drafts=allow_drafts)
    click.echo(ticket_text(ticket))
    click.echo(f"{target}")


@main.command("facts")
@project_option
@format_option
@click.option("--lang", "-l", "langs", shell_complete=_complete_lang, multiple=True,
              help="Languages whose catalog lines are listed (repeatable; default: all targets).")
def facts_cmd(root: Path, fmt: str, langs: tuple[str, ...]) -> None:
    """Every fact: state, source, verification, valid until, stale or not, and where it is printed.

    A report: exit status 0 whatever it finds (the build and `package` are the gates)."""
    from .facts import fact_report
    from .project import load_catalogs, load_project

    project = load_project(root)
    _check_langs(project.config, langs)
    codes = [lang.code for lang in project.config.targets(langs) if lang.code != project.config.source_language.code]
    catalogs = {c: cat for c, cat in load_catalogs(project, codes).items() if cat is not None}
    report = fact_report(project.facts, project.chapters, project.template_facts, catalogs)
    click.echo(report.json() if fmt == "json" else report.text())


@main.command("linkcheck")
@project_option
@click.option("--timeout", type=click.FloatRange(min=0.1, max=120), default=10.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--cafile", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Trust these certificates (PEM) instead of the system's, e.g. behind a TLS proxy.")
@format_option
def linkcheck_cmd(root: Path, timeout: float, cafile: Path | None, fmt: str) -> None:
    """Check every URL and e-mail domain of guide/contacts.yml over the network (only when you run it)."""
    import ssl

    from .config import FACTS_FILE, facts_day, load_facts
    from .linkcheck import Checker, linkcheck, summary

    config = load_config(root)
    facts = load_facts(config.files, facts_day(config), config.max_fact_age_days)
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    findings = linkcheck(facts, Checker(timeout=timeout, context=context),
                         done=lambda f: fmt == "text" and click.echo(("ok    " if f.ok else "FAIL  ") + f.line()))
    if fmt == "json":
        _emit_json([{"ref": f.target.ref, "file": FACTS_FILE, "line": f.target.line, "ok": f.ok, "message": f.message,
                     "redirects": list(f.redirects)} for f in findings])
    else:
        click.echo(summary(findings))
    if any(not f.ok for f in findings):
        raise KkguideError(f"{sum(not f.ok for f in findings)} link(s) failed (listed above)")


@main.command("handout")
@project_option
@click.option("--lang", "-l", "lang", shell_complete=_complete_lang, required=True, help="Language code.")
@click.option("--chapters", default="", help="Chapter ids, comma-separated (e.g. registration,health,emergency).")
@click.option("--profile", default=None, help="A topic profile from guide.yml handout_profiles (e.g. family).")
@click.option("--counsellor", required=True, help='Contact for the back, e.g. "Name, Raum 12, 02821 85-0".')
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date on the back (default: today).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist); the PDF goes to OUT/handouts/.")
def handout_cmd(root: Path, lang: str, chapters: str, profile: str | None, counsellor: str, day, out: Path | None) -> None:
    """A short PDF for one person: chosen chapters, the counsellor's contact and the date."""
    from .handout import make_handout

    _checked_config(root, [lang])
    ids = [c.strip() for c in chapters.split(",") if c.strip()]
    result = make_handout(root, out or root / "dist", lang, ids, profile, counsellor,
                          (day.date() if day else dt.date.today()))
    note = f", {result.fallbacks} message(s) shown in German" if result.fallbacks else ""
    click.echo(f"{result.path}: {result.pages} pages, chapters {', '.join(result.chapters)}{note}")


@main.command("languages-sheet")
@project_option
@click.option("--base-url", required=True, help="https:// address where the contents of dist/ are published.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist).")
def sheet_cmd(root: Path, base_url: str, out: Path | None) -> None:
    """One A4 page: every language in its own script, with a QR code to its PDF."""
    from .sheet import make_sheet

    target, count = make_sheet(root, out or root / "dist", base_url)
    click.echo(f"{target}: {count} languages")


@main.command("web")
@project_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist/web).")
@click.option("--pdfs", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder of `kkguide build` whose published screen and print PDFs the site "
                   "includes and links (default: PROJECT/dist; none built: no PDF links).")
def web_cmd(root: Path, out: Path | None, pdfs: Path | None) -> None:
    """Static, responsive HTML per language with a language switcher and links to its PDFs."""
    from .web import make_web

    site = make_web(root, out or root / "dist" / "web", pdfs=pdfs)
    click.echo(f"{site.folder}/: {len(site.languages)} languages ({', '.join(site.languages)})"
               + (f", {site.pdfs} PDF(s)" if site.pdfs else "")
               + (f"; not published (below min_coverage): {', '.join(site.skipped)}" if site.skipped else ""))


@main.command("review")
@project_option
@click.option("--lang", "-l", "lang", shell_complete=_complete_lang, required=True, help="Language code.")
@click.option("--reviewer", required=True, help="Name of the person who checked the translation.")
@click.option("--chapter", "chapters", multiple=True,
              help="Chapter id to sign off (repeatable; 'pages' = cover, labels, imprint; default: all).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Review date (default: today).")
def review_cmd(root: Path, lang: str, reviewer: str, chapters: tuple[str, ...], day) -> None:
    """Record that a person reviewed the printed translations; the draft badge goes once all are."""
    from .project import load_project
    from .review import sign_off

    config = _checked_config(root, [lang])
    _not_source(config, lang, "the office approves the German text with 'reviewed: true' in guide/guide.yml")
    project = load_project(root, config)
    code = project.config.language(lang).code
    report = sign_off(project, code, reviewer, day.date() if day else dt.date.today(), chapters)
    click.echo(f"{report.path}: reviewed {report.reviewed}, already reviewed {report.already}, "
               f"not printed (fuzzy, untranslated or refused) {report.not_printed}")
    click.echo("every printed message is reviewed: the draft badge is lifted" if report.complete else
               f"{report.remaining} printed message(s) still without a review: the translation stays a draft")


@main.command("status")
@project_option
@format_option
@click.option("--chapters", is_flag=True, help="One row per language and chapter.")
def status_cmd(root: Path, fmt: str, chapters: bool) -> None:
    """Per language (and chapter): reviewed, translated, fuzzy and untranslated messages and words.

    Fuzzy never counts as done: it is printed in German until a translator confirms it.
    "reviewed" counts translated messages a reviewer signed off (kkguide review)."""
    from .catalogs import load_catalog
    from .project import load_project, translation_for
    from .readability import chapter_readability, is_german, whole

    project = load_project(root)
    config = project.config
    rows = []
    for lang in config.languages:
        source = lang.code == config.source_language.code
        catalog = None if source else load_catalog(config.files, lang.code)
        translation = translation_for(project, lang, catalog)
        draft = (not config.reviewed) if source else translation.draft
        row = _status_row(lang.code, translation.coverage, draft, config.required_coverage(lang.code))
        row["source"] = source
        row["chapters"] = {cid or "(cover and pages)": _status_row(lang.code, cov, draft, 0)
                           for cid, cov in translation.chapters.items()}
        if is_german(lang.code):  # the German readability formulas apply to German editions only
            texts = {key.msgid: r.text for key, r in translation.texts.items()}
            row["readability"] = whole(project.segments, texts).as_dict()
            row["min_readability"] = config.min_readability.get(lang.code)
            for cid, score in chapter_readability(project.segments, texts).items():
                row["chapters"][cid]["readability"] = score.as_dict()
        rows.append(row)
    if fmt == "json":
        _emit_json(rows)
        return
    header = (f"{'lang':<9} {'chapter':<18} {'reviewed':>8} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} "
              f"{'words done':>12} {'%':>6} {'Flesch':>6}  state")
    click.echo(header)
    click.echo("-" * len(header))
    for row in rows:
        _status_line(row, "(all)", f"source ({'draft' if row['draft'] else 'reviewed'})" if row["source"] else _state(row))
        if chapters:
            for name, sub in row["chapters"].items():
                _status_line(sub, name, "")
    click.echo("Flesch: German reading ease (Amstad), per German edition; 60-70 plain, above 70 easy.")


def _status_row(code: str, cov, draft: bool, required: float) -> dict:
    return {"language": code, **cov.__dict__, "percent": round(cov.percent, 1), "draft": draft,
            "min_coverage": required, "built": cov.percent >= required}


def _state(row: dict) -> str:
    if not row["built"]:
        return f"not built (needs {row['min_coverage']:g} %)"
    return "draft" if row["draft"] else "reviewed"


def _status_line(row: dict, name: str, state: str) -> None:
    words = f"{row['translated_words']}/{row['words']}"
    flesch = f"{row['readability']['flesch']:.1f}" if "readability" in row else ""
    click.echo(f"{row['language']:<9} {name[:18]:<18} {row['reviewed']:>8} {row['translated']:>10} {row['fuzzy']:>6} "
               f"{row['untranslated']:>9} {words:>12} {row['percent']:>5.1f}% {flesch:>6}  {state}".rstrip())


if __name__ == "__main__":  # pragma: no cover
    main()
