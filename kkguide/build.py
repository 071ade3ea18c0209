"""Stage 8: plan (language x edition) jobs, reuse what the cache has, render the rest, then write
PDFs and the manifest.

The jobs to render are grouped by layout (``LayoutGroup``: a language's screen, print and office
booklet share one WeasyPrint layout; the bilingual edition has its own). Groups render in this
process and in a pool of worker processes, in the order ``schedule`` computes.

Nothing is written before every job has rendered: a failing job leaves ``dist/`` untouched.
Each file is written atomically; ``manifest.json`` lists every artifact with its checksum.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from . import __version__
from .cache import CODE, Cache, CachedPdf, Inputs, code_digest, font_files, job_inputs, source_digests
from .catalogs import po_file
from .config import DEFAULT_FILE_NAME, Edition, GuideConfig, Language, load_config
from .errors import KkguideError
from .frozen import FrozenMap
from .fsio import check_output, output_lock
from .progress import Event, Finished, Planned, Stage, Started

# Only what planning and the cache lookup need is imported with this module: a build starts its
# workers first and imports the validating and rendering stages (~0.2 s) while they start up.
if TYPE_CHECKING:
    from .catalogs import Catalog
    from .fontcheck import FontStacks
    from .project import Project
    from .translate import Coverage, Translation

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Job:
    language: Language
    edition: Edition
    stem: str = DEFAULT_FILE_NAME   # guide.yml file_name

    @property
    def label(self) -> str:
        return f"{self.language.code}/{self.edition.name}"

    @property
    def filename(self) -> str:
        return f"{self.language.code}/{self.stem}-{self.language.code}-{self.edition.name}.pdf"


@dataclass(frozen=True)
class Artifact:
    path: str
    language: str
    edition: str
    pages: int
    bytes: int
    sha256: str
    coverage: Mapping[str, int | float]


@dataclass(frozen=True)
class JobResult:
    job: Job
    artifact: Artifact
    data: bytes
    warnings: tuple[str, ...]
    reused: bool
    reasons: tuple[str, ...] = ()   # why it was rendered: the inputs that changed since the last build

    @property
    def fallbacks(self) -> int:
        return int(self.artifact.coverage["messages"] - self.artifact.coverage["translated"])


@dataclass(frozen=True)
class Skipped:
    """A job not built because its language is below the guide's coverage policy."""

    job: Job
    percent: float
    required: float
    why: str = ""      # another policy than coverage (readability), said in full

    @property
    def reason(self) -> str:
        if self.why:
            return f"{self.job.language.code} ({self.job.language.name}) not built: {self.why}"
        return (f"{self.job.language.code} ({self.job.language.name}) not built: "
                f"{self.percent:.1f} % translated, guide.yml min_coverage needs {self.required:g} %")


@dataclass(frozen=True)
class BuildReport:
    results: tuple[JobResult, ...]
    skipped: tuple[Skipped, ...]

    @property
    def rendered(self) -> int:
        return sum(1 for r in self.results if not r.reused)


def plan(config: GuideConfig, languages: Sequence[str], editions: Sequence[str]) -> tuple[Job, ...]:
    langs = [config.language(code) for code in languages] or list(config.languages)
    eds = [config.edition(name) for name in editions] or [config.edition(n) for n in config.default_editions]
    source = config.source_language.code
    # a bilingual edition pairs German with another language: none for German itself
    return tuple(Job(lang, ed, config.file_name) for lang in langs for ed in eds
                 if not (ed.is_bilingual and lang.code == source))


def check_fonts(project: Project, translations: Sequence[Translation], stacks: FontStacks | None = None) -> None:
    """Every character each job prints has a glyph in its language's font stack."""
    texts: dict[str, list[str]] = {}
    source = project.config.source_language.code
    fixed = [f.value for f in project.facts.entries.values()]
    fixed += [project.config.publisher, project.config.publisher_address]
    texts.setdefault(source, []).extend(fixed)
    for lang in project.config.languages:  # the languages page names each in its own script
        texts.setdefault(lang.code, []).append(lang.name)
    for translation in translations:
        for rendition in translation.texts.values():
            texts.setdefault(rendition.lang, []).append(rendition.text)
        texts[translation.language.code].extend(fixed)
        texts[translation.language.code].extend(translation.reviewers)   # named in the imprint
    from .fontcheck import check_texts, read_stacks

    check_texts(stacks or read_stacks(project.config.files, project.config.theme.fonts), texts)


def coverage_dict(coverage: Coverage) -> dict[str, int | float]:
    fields = asdict(coverage)
    fields["percent"] = round(coverage.percent, 1)
    return fields


@dataclass(frozen=True)
class LayoutGroup:
    """The jobs of one language written from one layout: screen, print and office booklet share
    the guide's layout (print adds bleed at write time, booklets add notes pages before the back
    cover); the bilingual edition has its own. Editions of another page size are laid out apart."""

    language: Language
    jobs: tuple[Job, ...]

    @property
    def label(self) -> str:
        return f"{self.language.code}/" + "+".join(sorted(j.edition.name for j in self.jobs))

    @property
    def layout_edition(self) -> Edition:
        """The edition the shared HTML is rendered for: the bilingual one, or a plain screen
        edition of the group's page size (the same HTML whichever editions are in the group). A
        print edition with crop marks is laid out on its own, with its marks and bleed in CSS."""
        first = self.jobs[0].edition
        own = first.is_bilingual or (first.is_print and first.crop_marks)
        return first if own else Edition("screen", first.page_size)


def layout_groups(jobs: Sequence[Job]) -> list[LayoutGroup]:
    """``jobs`` grouped by language, page size and bilingual or not, in the order of ``jobs``."""
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        own = job.edition.is_bilingual or (job.edition.is_print and job.edition.crop_marks)
        groups.setdefault((job.language.code, own and job.edition.name, job.edition.page_size), []).append(job)
    return [LayoutGroup(members[0].language, tuple(members)) for members in groups.values()]


class Layouts:
    """One group's layouts, each made at most once: the guide, and the booklet (the guide with
    the notes pages that bring it to a multiple of four, laid out on their own and inserted
    before the back cover, so the guide is never laid out twice)."""

    def __init__(self, project: Project, group: LayoutGroup, translation: Translation):
        from .markdown import make_markdown
        from .pdf import lay_out
        from .render import render_html

        self.project, self.group, self.translation = project, group, translation
        html = render_html(project.config, project.facts, project.chapters, translation, group.layout_edition,
                           make_markdown(), language_states=project.language_states,
                           kreis_map=project.kreis_map, template_facts=project.template_facts)
        self.guide = lay_out(html, project.config.files, group.jobs[0].filename)
        self._booklet = None

    def booklet(self, job: Job):
        if self._booklet is None:
            from .pdf import combine, lay_out
            from .render import render_notes_html

            pad = (-self.guide.pages) % 4
            booklet = self.guide
            if pad:
                html = render_notes_html(self.project.config, self.translation, self.group.layout_edition, pad,
                                         first_page=self.guide.pages)
                notes = lay_out(html, self.project.config.files, job.filename)
                if notes.pages != pad:
                    raise KkguideError(f"{pad} notes page(s) laid out as {notes.pages}: the booklet does not "
                                       "reach a multiple of 4", job.filename)
                booklet = combine(self.guide, notes)
            self._booklet = booklet
        return self._booklet


def finish(edition: Edition, data: bytes) -> bytes:
    """Post-processing of one edition's written PDF (bytes -> bytes), before any later step
    (imposition, press conversion) sees it. Nothing yet; the place for steps such as tagging
    fixes of the screen edition."""
    return data


def render_group(project: Project, group: LayoutGroup, translation: Translation) -> dict[Job, CachedPdf]:
    """Every job of ``group`` from one layout."""
    layouts = Layouts(project, group, translation)
    coverage = coverage_dict(translation.coverage)
    done = {}
    for job in group.jobs:
        if job.edition.is_print:
            done[job] = _press(project, job, layouts, coverage)
        elif job.edition.is_office_booklet:
            from .impose import impose
            from .pdf import write

            pdf = write(layouts.booklet(job), None, job.filename)
            data = impose(finish(job.edition, pdf.data), right_to_left=job.language.direction == "rtl")
            done[job] = CachedPdf(data, pdf.pages // 2, pdf.warnings, coverage)
        else:
            from .pdf import write

            from .render import german_parts

            german = german_parts(project.config, project.facts, project.chapters, job.language, project.glossary)
            pdf = write(layouts.guide, "pdf/ua-1", job.filename, german)
            done[job] = CachedPdf(finish(job.edition, pdf.data), pdf.pages, pdf.warnings, coverage)
    return done


def render_job(project: Project, job: Job, translation: Translation) -> CachedPdf:
    """One job on its own (its group of one)."""
    return render_group(project, LayoutGroup(job.language, (job,)), translation)[job]


def _press(project: Project, job: Job, layouts: Layouts, coverage) -> CachedPdf:
    """Print edition: the booklet's pages with bleed, CMYK, then the shop's preflight."""
    from .pdf import with_bleed, write
    from .preflight import PrintSpec, preflight
    from .press import to_press

    edition = job.edition
    profile = project.config.files.read_bytes(str(edition.output_profile), "profile")
    source = layouts.booklet(job)
    if not layouts.group.layout_edition.is_print:  # else laid out with bleed and marks already
        source = with_bleed(source, edition.bleed_mm, profile, str(edition.output_profile))
    pdf = write(source, "pdf/x-4", job.filename)
    data = to_press(finish(edition, pdf.data), profile, edition.output_condition)
    report = preflight(data, PrintSpec(edition.size_mm, edition.bleed_mm, edition.min_dpi), job.filename)
    if not report.ok:
        failed = next(f for f in report.findings if not f.ok)
        raise KkguideError(f"preflight failed: {failed.check}: {failed.message}", job.filename)
    return CachedPdf(data, pdf.pages, pdf.warnings, coverage)


def _warm_worker() -> None:
    """Worker start-up: import WeasyPrint while the parent is still validating the project.

    Ctrl-C goes to the whole process group: the parent handles it and shuts the pool down, so
    workers ignore it instead of each printing a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import impose, pdf, preflight, press, project, render  # noqa: F401


def _ready() -> None:
    """A no-op task: submitting one per worker makes the pool start them all at once."""


def _render_in_worker(project: Project, group: LayoutGroup,
                      translation: Translation) -> tuple[dict[Job, CachedPdf], float]:
    start = time.perf_counter()
    return render_group(project, group, translation), time.perf_counter() - start


# Relative cost of a group never timed before, per character printed: one layout (the bilingual
# edition prints every block twice) plus each edition's write and post-processing
# (docs/benchmarks.md, "Editions").
LAYOUT_WEIGHT = {"guide": 1.0, "bilingual": 2.2}
WRITE_WEIGHT = {"screen": 0.4, "print": 0.75, "office-booklet": 0.45, "bilingual": 0.8}


def _estimate(project: Project, group: LayoutGroup, catalog: Catalog | None) -> float:
    """Relative work of a group that has never been timed: the characters it prints (the German
    text where a message is not translated), times its layout and editions' weights."""
    translated = {e.key: e.msgstr for e in catalog.entries.values() if e.msgstr and not e.fuzzy} if catalog else {}
    chars = sum(len(translated.get(s.key) or s.msgid) for s in project.segments)
    layout = LAYOUT_WEIGHT["bilingual" if group.layout_edition.is_bilingual else "guide"]
    return chars * (layout + sum(WRITE_WEIGHT.get(j.edition.name, 0.5) for j in group.jobs))


def schedule(jobs: Sequence[Job], history: Mapping[str, float], estimate: Callable[[Job], float],
             workers: int) -> list[Job]:
    """The order in which to hand jobs to ``workers`` workers that each take the next job when
    free, so that they all finish at about the same time.

    Durations: each job's last render time where the cache folder has one, else its estimate
    scaled by the timed jobs. Longest-first alone leaves one worker rendering the 13th booklet
    of the default guide alone for over a second; instead the jobs are split into ``workers``
    groups of nearly equal total (longest-first, then swaps that shorten the longest group), and
    the hand-in order is the one in which, with those durations, every worker takes its own
    group's jobs. Wrong durations only cost time: any order builds the same PDFs."""
    if not jobs:
        return []
    seconds = expected_seconds(jobs, history, estimate)
    ordered = sorted(jobs, key=lambda j: (-seconds[j], j.label))
    groups: list[list[Job]] = [[] for _ in range(max(1, min(workers, len(jobs))))]
    for job in ordered:
        min(groups, key=lambda g: sum(seconds[j] for j in g)).append(job)
    _balance(groups, seconds)
    return _hand_in_order(groups, seconds)


def expected_seconds(jobs: Sequence[Job], history: Mapping[str, float],
                     estimate: Callable[[Job], float]) -> dict[Job, float]:
    """Each job's last render time where the cache folder has one, else its estimate scaled by
    the timed jobs (in the estimate's own units when none is timed)."""
    timed = [j for j in jobs if j.label in history]
    scale = (sum(history[j.label] for j in timed) / max(sum(estimate(j) for j in timed), 1e-9)) if timed else 1.0
    return {j: history[j.label] if j.label in history else estimate(j) * scale for j in jobs}


def _balance(groups: list[list[Job]], seconds: Mapping[Job, float]) -> None:
    """Move or swap single jobs between the longest and the shortest group while that shortens
    the longest one."""
    def total(group: list[Job]) -> float:
        return sum(seconds[j] for j in group)

    for _ in range(100):
        longest, shortest = max(groups, key=total), min(groups, key=total)
        gap = total(longest) - total(shortest)
        best, move = 0.0, None
        for a in longest:
            for b in [None, *shortest]:
                delta = seconds[a] - (seconds[b] if b is not None else 0.0)
                if 0 < delta < gap and min(delta, gap - delta) > best:
                    best, move = min(delta, gap - delta), (a, b)
        if move is None:
            return
        a, b = move
        longest.remove(a)
        shortest.append(a)
        if b is not None:
            shortest.remove(b)
            longest.append(b)


def _hand_in_order(groups: list[list[Job]], seconds: Mapping[Job, float]) -> list[Job]:
    """Simulate the workers: the one free first (then the one with most left) takes its next job."""
    queues = [sorted(g, key=lambda j: (-seconds[j], j.label)) for g in groups]
    free_at = [0.0] * len(queues)
    order: list[Job] = []
    while any(queues):
        i = min((k for k in range(len(queues)) if queues[k]),
                key=lambda k: (free_at[k], -sum(seconds[j] for j in queues[k])))
        job = queues[i].pop(0)
        free_at[i] += seconds[job]
        order.append(job)
    return order


def start_pool(workers: int, groups: int) -> ProcessPoolExecutor | None:
    """The pool for a one-shot build of ``groups`` layout groups with ``workers`` renderers in all,
    or None when this process renders alone.

    This process renders too (``Renderer``): it takes its first group as soon as the project is
    validated, while the pool's ``workers - 1`` processes still import WeasyPrint, so no core
    waits for an import. A single group stays in this process (a fresh worker's import takes as
    long as this process's validation and import together)."""
    if workers <= 1 or groups <= 1:
        return None
    return make_pool(min(workers, groups) - 1)


def make_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes, started now: they import WeasyPrint while this process validates.

    ProcessPoolExecutor starts spawned workers one per submitted task, so without the no-op
    tasks the first worker would only start importing when the first job is handed in."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold Pango state
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_worker)
    for _ in range(workers):
        pool.submit(_ready)
    return pool


class Warm:
    """What `kkguide watch` keeps from one build to the next: its pool of warm workers, the
    fingerprint of the code and fonts they loaded, and the last project read and validated, with
    the digest of every file it was read from (so it is reused only for identical sources)."""

    def __init__(self, pool: ProcessPoolExecutor, workers: int, runtime: str):
        self.pool, self.workers, self.runtime = pool, workers, runtime
        self._project: tuple[str, Project] | None = None

    def project(self, key: str, load: Callable[[], Project]) -> Project:
        if self._project is None or self._project[0] != key:
            self._project = (key, load())
        return self._project[1]


class Renderer:
    """Renders layout groups in the pool's workers and, for a one-shot build, in this process too.

    Every renderer takes the next group of one shared hand-in order when it is free: each pool
    worker through a thread of this process that keeps exactly one group in that worker's hands,
    this process by rendering in-process between. So the order ``schedule`` computed is the order
    groups start in, and no renderer waits while another has groups left to take."""

    def __init__(self, project: Project, pool: ProcessPoolExecutor | None, pool_workers: int, local: bool,
                 done: Callable[[Job], None], progress: Callable[[Event], None] = lambda event: None):
        self.project, self.pool, self.pool_workers, self.local, self.done = project, pool, pool_workers, local, done
        self.progress = progress
        self._lock = threading.Lock()
        self._queue: list[tuple[LayoutGroup, Translation]] = []
        self._futures: list = []
        self._failed: list[BaseException] = []
        self.rendered: dict[Job, CachedPdf] = {}
        self.seconds: dict[str, float] = {}

    def _take(self) -> tuple[LayoutGroup, Translation] | None:
        with self._lock:
            item = self._queue.pop(0) if self._queue and not self._failed else None
            if item is not None:
                self.progress(Started(item[0].label))
            return item

    def _record(self, group: LayoutGroup, result: tuple[dict[Job, CachedPdf], float]) -> None:
        with self._lock:
            self.rendered.update(result[0])
            self.seconds[group.label] = result[1]
            self.progress(Finished(group.label, result[1]))
            for job in group.jobs:
                self.done(job)

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            self._failed.append(exc)
            self._queue.clear()
            for future in self._futures:  # a pool kept by `kkguide watch` must not go on with them
                future.cancel()

    def _feed(self) -> None:
        while (item := self._take()) is not None:
            try:
                future = self.pool.submit(_render_in_worker, self.project, *item)
                with self._lock:
                    self._futures.append(future)
                self._record(item[0], future.result())
            except BaseException as exc:  # noqa: BLE001 - handed to the build's thread below
                self._fail(exc)
                return

    def run(self, items: Sequence[tuple[LayoutGroup, Translation]]) -> tuple[dict[Job, CachedPdf], dict[str, float]]:
        """The rendered PDFs, and each group's render time in seconds (by group label)."""
        self._queue = list(items)
        feeders = [threading.Thread(target=self._feed, daemon=True)
                   for _ in range(self.pool_workers if self.pool is not None else 0)]
        for feeder in feeders:
            feeder.start()
        if self.local or not feeders:
            try:
                while (item := self._take()) is not None:
                    self._record(item[0], _render_in_worker(self.project, *item))
            except BaseException as exc:
                self._fail(exc)
                raise
        for feeder in feeders:
            feeder.join()
        if self._failed:
            raise self._failed[0]
        return self.rendered, self.seconds


def job_inputs_for(config: GuideConfig, jobs: Sequence[Job], common: Mapping[str, str]) -> dict[Job, Inputs]:
    source = config.source_language.code
    return {job: job_inputs(common, config.files, None if job.language.code == source else po_file(job.language.code),
                            job.edition.name, job.language.code) for job in jobs}


FACT_STATES = "fact states (stale or verified, as of today)"


def common_inputs(config: GuideConfig) -> dict[str, str]:
    """What every job of the guide is made from: its sources, the fonts of its font stacks, code."""
    from .fontcheck import CSS_FILE, read_stacks

    families: set[str] = set()
    if config.files.is_file(CSS_FILE, "style"):  # a missing style sheet is reported by validation
        stacks = read_stacks(config.files, config.theme.fonts)
        families = {*stacks.default, *(f for stack in stacks.by_lang.values() for f in stack)}
    # facts are judged as of today: an entry that goes stale changes the PDFs (its mark, the
    # imprint), so its state is an input of every job; an expired one stops even a build served
    # from the cache (load_facts raises)
    states = hashlib.sha256(fact_states(config).encode()).hexdigest()
    return {**source_digests(config.files), **font_files(families), FACT_STATES: states, CODE: code_digest()}


def build(root: Path, out: Path, languages: Sequence[str] = (), editions: Sequence[str] = (),
          workers: int = 1, force: bool = False,
          report: Callable[[Job], None] = lambda job: None,
          notify: Callable[[str], None] = lambda message: None,
          warm: Warm | None = None, step: Callable[[str], None] = lambda name: None,
          progress: Callable[[Event], None] = lambda event: None) -> BuildReport:
    """Plan, reuse cached PDFs, validate and render the rest, then write PDFs and manifest.

    ``warm``: workers and state kept by `kkguide watch`; its workers render every group.
    Without it the build renders in this process and, with two layout groups or more, in a pool
    of its own that it shuts down. ``step``: called before each publishing step (tests stop a
    build there). ``progress``: stages, the plan and each group's start and end
    (``kkguide.progress``)."""
    config = load_config(root)
    jobs = plan(config, languages, editions)
    check_output(out)
    cache = Cache(out)
    progress(Stage(f"looking up {len(jobs)} PDF(s) in the cache (hashing the sources)"))
    common = common_inputs(config)
    loaded: list[Project] = []

    def get_project() -> Project:
        """The guide read and validated, once (kept by `kkguide watch` while its sources stay)."""
        if not loaded:
            from .project import load_project

            if warm is None:
                loaded.append(load_project(root, config))
            else:
                listing = "\n".join(config.files.listing("translations", "*/LC_MESSAGES/*.po", kind="catalog"))
                key = Inputs(FrozenMap({k: v for k, v in common.items() if k != CODE})).key
                loaded.append(warm.project(f"{key}\n{listing}", lambda: load_project(root, config)))
        return loaded[0]

    from .languages import INPUT_NAME, language_states, remember, states_digest

    # every booklet's languages page shows every language's state: one input of every job
    states, measured = language_states(config, cache.folder, Inputs(FrozenMap(common)).key, get_project)
    common = {**common, INPUT_NAME: states_digest(states)}
    inputs = job_inputs_for(config, jobs, common)
    found = {} if force else {job: cache.get(inputs[job].key) for job in jobs}
    hits = {job: entry for job, entry in found.items() if entry is not None}
    misses = [job for job in jobs if job not in hits]
    reasons = {job: ("--force",) if force else cache.why(job.label, inputs[job]) for job in misses}
    groups = layout_groups(misses)
    rendered: dict[Job, CachedPdf] = {}
    seconds: dict[str, float] = {}
    skipped: list[Skipped] = []
    own_pool = warm is None
    pool = start_pool(workers, len(groups)) if warm is None else warm.pool  # warming up while we validate
    width = warm.workers if warm is not None else (min(workers, len(groups)) if pool is not None else 1)
    try:
        if misses:
            starting = f"starting {width - 1} worker process(es) (this one renders too), meanwhile " if own_pool and pool is not None else ""
            progress(Stage(f"{starting}validating chapters, facts and {len({j.language.code for j in misses})} "
                           "language(s)"))
            from dataclasses import replace

            from .fontcheck import read_stacks
            from .project import load_catalogs, translation_for

            # read and validate everything before rendering anything
            project = replace(get_project(), language_states=states)
            catalogs = load_catalogs(project, (job.language.code for job in misses))
        for job in hits:
            report(job)
        if misses:
            progress(Stage("checking coverage, readability and fonts"))
            stacks = read_stacks(project.config.files, project.config.theme.fonts)  # styles/guide.css read once for all jobs
            history = cache.timings()

            def estimate(g: LayoutGroup) -> float:
                return _estimate(project, g, catalogs[g.language.code])

            order = schedule(groups, history, estimate, width)
            expected = expected_seconds(groups, history, estimate)
            items = []
            for group in order:
                translation = translation_for(project, group.language, catalogs[group.language.code])
                required = config.required_coverage(group.language.code)
                if translation.coverage.percent < required:
                    for job in group.jobs:
                        skipped.append(Skipped(job, translation.coverage.percent, required))
                        report(job)
                    continue
                from .readability import policy_problems

                too_hard = policy_problems(config, project.segments, translation)
                if too_hard:
                    for job in group.jobs:
                        skipped.append(Skipped(job, translation.coverage.percent, required, too_hard[0]))
                        report(job)
                    continue
                check_fonts(project, [translation], stacks)
                items.append((group, translation))
            progress(Planned(tuple((g.label, len(g.jobs), expected[g]) for g, _ in items), width,
                             all(g.label in history for g, _ in items)))
            renderer = Renderer(project, pool, warm.workers if warm is not None else width - 1,
                                local=warm is None, done=report, progress=progress)
            rendered, seconds = renderer.run(items)
    finally:
        if own_pool and pool is not None:
            pool.shutdown(cancel_futures=True)
    results = []
    for job in jobs:
        entry = hits.get(job) or rendered.get(job)
        if entry is None:
            continue
        artifact = Artifact(path=job.filename, language=job.language.code, edition=job.edition.name,
                            pages=entry.pages, bytes=len(entry.data), sha256=hashlib.sha256(entry.data).hexdigest(),
                            coverage=entry.coverage)
        results.append(JobResult(job, artifact, entry.data, entry.warnings, reused=job in hits,
                                 reasons=() if job in hits else reasons[job]))
    if results:
        progress(Stage(f"writing {len(results)} PDF(s) and the manifest"))
        with output_lock(out, notify):
            cache.put({job.label: (inputs[job], entry) for job, entry in rendered.items()})
            remember(cache.folder, measured)
            if rendered:
                cache.record_timings(seconds)
            publish_build(out, config, results, step)
            if rendered:  # entries no job of this guide can use any more
                every = plan(config, [lang.code for lang in config.languages], list(config.editions))
                cache.prune(i.key for i in job_inputs_for(config, every, common).values())
    return BuildReport(tuple(results), tuple(skipped))


def publish_build(out: Path, config: GuideConfig, results: Sequence[JobResult],
                  step: Callable[[str], None] = lambda name: None) -> None:
    """Publish the PDFs of ``results`` with a manifest as one generation (``publish``). Artifacts
    of languages or editions not built this time stay published as they were; nothing is
    published when the set would be the same as the current one."""
    from .publish import current, publish

    files = {r.artifact.path: r.data for r in results}
    carried = [entry for entry in _published_artifacts(out)
               if entry["path"] not in files and (current(out) / entry["path"]).is_file()]
    entries = {a["path"]: a for a in carried} | {r.artifact.path: _artifact_json(r.artifact) for r in results}
    manifest = _manifest_bytes(config, [entries[k] for k in sorted(entries)])
    if (out / MANIFEST).is_file() and (out / MANIFEST).read_bytes() == manifest:
        return  # the same set is already published: a no-op rebuild writes nothing
    publish(out, {**files, MANIFEST: manifest}, [a["path"] for a in carried], step)


def _published_artifacts(out: Path) -> list[dict]:
    """The artifact entries of the published manifest that are well-formed."""
    from .publish import current

    if current(out) is None:
        return []
    try:
        found = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("artifacts", [])
    except (OSError, ValueError, AttributeError):
        return []
    keys = {"path", "language", "edition", "pages", "bytes", "sha256", "coverage"}
    return [e for e in found if isinstance(e, dict) and keys <= set(e) and isinstance(e["path"], str)]


def fact_states(config: GuideConfig) -> str:
    from .config import facts_day, load_facts

    facts = load_facts(config.files, facts_day(config), config.max_fact_age_days)
    return "".join(f"\n{fid}={record.flag}" for fid, record in facts.records.items())


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _manifest_bytes(config: GuideConfig, artifacts: Sequence[dict]) -> bytes:
    manifest = {
        "guide": config.title,
        "stand": config.stand.isoformat(),
        "generator": f"kkguide {__version__}, WeasyPrint {metadata.version('weasyprint')}",
        "artifacts": list(artifacts),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _artifact_json(artifact: Artifact) -> dict:
    return {"path": artifact.path, "language": artifact.language, "edition": artifact.edition,
            "pages": artifact.pages, "bytes": artifact.bytes, "sha256": artifact.sha256,
            "coverage": dict(artifact.coverage)}
