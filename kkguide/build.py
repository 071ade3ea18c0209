"""Stage 8: plan (language x edition) jobs, reuse what the cache has, render the rest in a pool
of worker processes, then write PDFs and the manifest.

Nothing is written before every job has rendered: a failing job leaves ``dist/`` untouched.
Each file is written atomically; ``manifest.json`` lists every artifact with its checksum.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from . import __version__
from .cache import Cache, CachedPdf, common_digest, job_key, sources_digest
from .catalogs import po_file
from .config import Edition, GuideConfig, Language, load_config
from .errors import KkguideError
from .fsio import check_output, output_lock

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

    @property
    def label(self) -> str:
        return f"{self.language.code}/{self.edition.name}"

    @property
    def filename(self) -> str:
        return f"{self.language.code}/kreis-kleve-welcome-guide-{self.language.code}-{self.edition.name}.pdf"


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
    return tuple(Job(lang, ed) for lang in langs for ed in eds if not (ed.is_bilingual and lang.code == source))


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
    from .fontcheck import check_texts, read_stacks

    check_texts(stacks or read_stacks(project.config.files), texts)


def coverage_dict(coverage: Coverage) -> dict[str, int | float]:
    fields = asdict(coverage)
    fields["percent"] = round(coverage.percent, 1)
    return fields


def render_job(project: Project, job: Job, translation: Translation) -> CachedPdf:
    from .markdown import make_markdown
    from .pdf import render_pdf  # WeasyPrint is imported only when something is rendered
    from .render import german_parts, render_html

    edition = job.edition
    variant = "pdf/x-4" if edition.is_print else ("pdf/ua-1" if edition.name in ("screen", "bilingual") else None)
    german = german_parts(project.config, project.facts, project.chapters, job.language, project.glossary) \
        if variant == "pdf/ua-1" else None

    def typeset(notes_pages: int):
        html = render_html(project.config, project.facts, project.chapters, translation, edition,
                           make_markdown(), notes_pages=notes_pages)
        return render_pdf(html, project.config.files, job.filename, variant, german)

    pdf = typeset(0)
    if edition.is_print:
        return _press(project, job, translation, pdf, typeset)
    if edition.is_office_booklet:
        from .impose import impose

        pdf = _to_multiple_of_four(job, pdf, typeset)
        data = impose(pdf.data, right_to_left=job.language.direction == "rtl")
        return CachedPdf(data, pdf.pages // 2, pdf.warnings, coverage_dict(translation.coverage))
    return CachedPdf(pdf.data, pdf.pages, pdf.warnings, coverage_dict(translation.coverage))


def _to_multiple_of_four(job: Job, pdf, typeset):
    """Planned notes pages before the back cover, never blank pages after it."""
    pad = (-pdf.pages) % 4
    if not pad:
        return pdf
    pdf = typeset(pad)
    if pdf.pages % 4:
        raise KkguideError(f"{pdf.pages} pages even with {pad} notes page(s): the layout does not "
                           "reach a multiple of 4", job.filename)
    return pdf


def _press(project: Project, job: Job, translation: Translation, pdf, typeset) -> CachedPdf:
    """Print edition: notes pages up to a multiple of 4, CMYK, then the shop's preflight."""
    from .preflight import PrintSpec, preflight
    from .press import to_press

    edition = job.edition
    pdf = _to_multiple_of_four(job, pdf, typeset)
    data = to_press(pdf.data, project.config.files.read_bytes(str(edition.output_profile), "profile"),
                    edition.output_condition)
    report = preflight(data, PrintSpec(edition.size_mm, edition.bleed_mm, edition.min_dpi), job.filename)
    if not report.ok:
        failed = next(f for f in report.findings if not f.ok)
        raise KkguideError(f"preflight failed: {failed.check}: {failed.message}", job.filename)
    return CachedPdf(data, pdf.pages, pdf.warnings, coverage_dict(translation.coverage))


def _warm_worker() -> None:
    """Worker start-up: import WeasyPrint while the parent is still validating the project.

    Ctrl-C goes to the whole process group: the parent handles it and shuts the pool down, so
    workers ignore it instead of each printing a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import pdf, project, render  # noqa: F401


def _ready() -> None:
    """A no-op task: submitting one per worker makes the pool start them all at once."""


def _render_in_worker(project: Project, job: Job, translation: Translation) -> tuple[CachedPdf, float]:
    start = time.perf_counter()
    return render_job(project, job, translation), time.perf_counter() - start


EDITION_WEIGHT = {"print": 2.2, "office-booklet": 1.5, "bilingual": 2.0}  # vs screen, docs/benchmarks.md


def _estimate(project: Project, job: Job, catalog: Catalog | None) -> float:
    """Relative work of a job that has never been timed: the characters it prints (the German
    text where a message is not translated), times its edition's weight."""
    translated = {e.msgid: e.msgstr for e in catalog.entries.values() if e.msgstr and not e.fuzzy} if catalog else {}
    chars = sum(len(translated.get(s.msgid) or s.msgid) for s in project.segments)
    return chars * EDITION_WEIGHT.get(job.edition.name, 1.0)


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
    timed = [j for j in jobs if j.label in history]
    scale = (sum(history[j.label] for j in timed) / max(sum(estimate(j) for j in timed), 1e-9)) if timed else 1.0
    seconds = {j: history[j.label] if j.label in history else estimate(j) * scale for j in jobs}
    ordered = sorted(jobs, key=lambda j: (-seconds[j], j.label))
    groups: list[list[Job]] = [[] for _ in range(max(1, min(workers, len(jobs))))]
    for job in ordered:
        min(groups, key=lambda g: sum(seconds[j] for j in g)).append(job)
    _balance(groups, seconds)
    return _hand_in_order(groups, seconds)


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


def start_pool(workers: int, jobs: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` processes for ``jobs`` renders, or None when serial is enough.

    A single render stays in this process: a fresh worker would import kkguide and WeasyPrint
    (~0.6 s) while this process validates, but the render then waits for that import instead of
    for validation, and the two take about as long (one-language rebuild 2.65 s with a worker,
    2.62 s without, medians of 5). `kkguide watch` keeps warm workers for that case."""
    if workers <= 1 or jobs <= 1:
        return None
    return make_pool(min(workers, jobs))


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
    """Renders jobs as they are handed in: at once in the pool, or in this process at the end."""

    def __init__(self, project: Project, pool: ProcessPoolExecutor | None, done: Callable[[Job], None]):
        self.project, self.pool, self.done = project, pool, done
        self.waiting: list[tuple[Job, Translation]] = []
        self.futures: dict = {}

    def submit(self, job: Job, translation: Translation) -> None:
        if self.pool is None:
            self.waiting.append((job, translation))
        else:
            self.futures[self.pool.submit(_render_in_worker, self.project, job, translation)] = job

    def results(self) -> tuple[dict[Job, CachedPdf], dict[str, float]]:
        """The rendered PDFs, and each job's render time in seconds (by job label)."""
        rendered, seconds = {}, {}
        for job, translation in self.waiting:
            rendered[job], seconds[job.label] = _render_in_worker(self.project, job, translation)
            self.done(job)
        try:
            for future in as_completed(self.futures):
                job = self.futures[future]
                rendered[job], seconds[job.label] = future.result()
                self.done(job)
        except BaseException:
            for future in self.futures:  # a pool kept by `kkguide watch` must not go on with them
                future.cancel()
            raise
        return rendered, seconds


def build(root: Path, out: Path, languages: Sequence[str] = (), editions: Sequence[str] = (),
          workers: int = 1, force: bool = False,
          report: Callable[[Job], None] = lambda job: None,
          notify: Callable[[str], None] = lambda message: None,
          warm: Warm | None = None, step: Callable[[str], None] = lambda name: None) -> BuildReport:
    """Plan, reuse cached PDFs, validate and render the rest, then write PDFs and manifest.

    ``warm``: workers and state kept by `kkguide watch`; its workers render even a single job.
    Without it the build starts its own pool (if it has two jobs or more) and shuts it down.
    ``step``: called before each publishing step (tests stop a build there)."""
    config = load_config(root)
    jobs = plan(config, languages, editions)
    check_output(out)
    cache = Cache(out)
    # facts are judged as of today: an entry that goes stale changes the PDFs (its mark, the imprint),
    # so its state is part of every key; an expired one stops even a build served from the cache
    sources = sources_digest(config.files) + fact_states(config)
    common = common_digest(sources, warm.runtime if warm else None)
    source = config.source_language.code
    keys = {job: job_key(common, config.files, None if job.language.code == source else po_file(job.language.code),
                         job.edition.name, job.language.code) for job in jobs}
    found = {} if force else {job: cache.get(keys[job]) for job in jobs}
    hits = {job: entry for job, entry in found.items() if entry is not None}
    misses = [job for job in jobs if job not in hits]
    rendered: dict[Job, CachedPdf] = {}
    skipped: list[Skipped] = []
    own_pool = warm is None
    pool = start_pool(workers, len(misses)) if warm is None else warm.pool  # warming up while we validate
    width = warm.workers if warm is not None else (min(workers, len(misses)) if pool is not None else 1)
    try:
        if misses:
            from .fontcheck import read_stacks
            from .project import load_catalogs, load_project, translation_for

            # read and validate everything before rendering anything
            if warm is None:
                project = load_project(root, config)
            else:
                listing = "\n".join(config.files.listing("translations", "*/LC_MESSAGES/*.po", kind="catalog"))
                project = warm.project(f"{sources}\n{listing}", lambda: load_project(root, config))
            catalogs = load_catalogs(project, (job.language.code for job in misses))
        for job in hits:
            report(job)
        if misses:
            renderer = Renderer(project, pool, report)
            stacks = read_stacks(project.config.files)  # styles/guide.css read once for all jobs
            order = schedule(misses, cache.timings(),
                             lambda j: _estimate(project, j, catalogs[j.language.code]),
                             width)
            for job in order:
                translation = translation_for(project, job.language, catalogs[job.language.code])
                required = config.required_coverage(job.language.code)
                if translation.coverage.percent < required:
                    skipped.append(Skipped(job, translation.coverage.percent, required))
                    report(job)
                    continue
                from .readability import policy_problems

                too_hard = policy_problems(config, project.segments, translation)
                if too_hard:
                    skipped.append(Skipped(job, translation.coverage.percent, required, too_hard[0]))
                    report(job)
                    continue
                check_fonts(project, [translation], stacks)
                renderer.submit(job, translation)  # workers start while the next job is prepared
            rendered, seconds = renderer.results()
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
        results.append(JobResult(job, artifact, entry.data, entry.warnings, reused=job in hits))
    if results:
        with output_lock(out, notify):
            for job, entry in rendered.items():
                cache.put(keys[job], entry)
            if rendered:
                cache.record_timings(seconds)
            publish_build(out, config, results, step)
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
