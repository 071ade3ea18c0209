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
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Mapping, Sequence

from . import __version__
from .cache import Cache, CachedPdf, common_digest, job_key, sources_digest
from .catalogs import Catalog, po_file
from .config import Edition, GuideConfig, Language, load_config
from .errors import KkguideError
from .fontcheck import FontStacks, check_texts, read_stacks
from .fsio import atomic_write, output_lock
from .markdown import make_markdown
from .project import Project, load_catalogs, load_project, translation_for
from .render import render_html
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

    @property
    def reason(self) -> str:
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
    check_texts(stacks or read_stacks(project.root), texts)


def coverage_dict(coverage: Coverage) -> dict[str, int | float]:
    fields = asdict(coverage)
    fields["percent"] = round(coverage.percent, 1)
    return fields


def render_job(project: Project, job: Job, translation: Translation) -> CachedPdf:
    from .pdf import render_pdf  # WeasyPrint is imported only when something is rendered

    edition = job.edition
    variant = "pdf/x-4" if edition.is_print else ("pdf/ua-1" if edition.name in ("screen", "bilingual") else None)

    def typeset(notes_pages: int):
        html = render_html(project.config, project.facts, project.chapters, translation, edition,
                           make_markdown(), notes_pages=notes_pages)
        return render_pdf(html, project.root, job.filename, variant)

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
    data = to_press(pdf.data, project.root / str(edition.output_profile), edition.output_condition)
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
    from . import pdf  # noqa: F401


def _render_in_worker(project: Project, job: Job, translation: Translation) -> CachedPdf:
    return render_job(project, job, translation)


def _cost(job: Job, catalog: Catalog | None) -> int:
    """Estimated work of a job (characters of its catalog), to start the longest jobs first."""
    if catalog is None:
        return 0
    return -sum(len(e.msgstr or e.msgid) for e in catalog.entries.values())


def start_pool(workers: int, jobs: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` processes for ``jobs`` renders, or None when serial is enough.

    A single render stays in this process: a fresh worker would import kkguide and WeasyPrint
    again (~0.7 s), more than overlapping it with validation saves (measured: 3.1 s against
    2.9 s for a one-language rebuild; docs/benchmarks.md). `kkguide watch` keeps warm workers."""
    if workers <= 1 or jobs <= 1:
        return None
    return make_pool(min(workers, jobs))


def make_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` spawned processes that import WeasyPrint as soon as they start."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold Pango state
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_worker)


class Warm:
    """What `kkguide watch` keeps from one build to the next: its pool of warm workers, the
    fingerprint of the code and fonts they loaded, and the last project read and validated, with
    the digest of every file it was read from (so it is reused only for identical sources)."""

    def __init__(self, pool: ProcessPoolExecutor, runtime: str):
        self.pool, self.runtime = pool, runtime
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

    def results(self) -> dict[Job, CachedPdf]:
        rendered = {}
        for job, translation in self.waiting:
            rendered[job] = render_job(self.project, job, translation)
            self.done(job)
        try:
            for future in as_completed(self.futures):
                rendered[self.futures[future]] = future.result()
                self.done(self.futures[future])
        except BaseException:
            for future in self.futures:  # a pool kept by `kkguide watch` must not go on with them
                future.cancel()
            raise
        return rendered


def build(root: Path, out: Path, languages: Sequence[str] = (), editions: Sequence[str] = (),
          workers: int = 1, force: bool = False,
          report: Callable[[Job], None] = lambda job: None,
          notify: Callable[[str], None] = lambda message: None,
          warm: Warm | None = None) -> BuildReport:
    """Plan, reuse cached PDFs, validate and render the rest, then write PDFs and manifest.

    ``warm``: workers and state kept by `kkguide watch`; its workers render even a single job.
    Without it the build starts its own pool (if it has two jobs or more) and shuts it down."""
    config = load_config(root)
    jobs = plan(config, languages, editions)
    cache = Cache(out)
    sources = sources_digest(root)
    common = common_digest(sources, warm.runtime if warm else None)
    source = config.source_language.code
    keys = {job: job_key(common, root, None if job.language.code == source else po_file(job.language.code),
                         job.edition.name, job.language.code) for job in jobs}
    found = {} if force else {job: cache.get(keys[job]) for job in jobs}
    hits = {job: entry for job, entry in found.items() if entry is not None}
    misses = [job for job in jobs if job not in hits]
    rendered: dict[Job, CachedPdf] = {}
    skipped: list[Skipped] = []
    own_pool = warm is None
    pool = start_pool(workers, len(misses)) if warm is None else warm.pool  # warming up while we validate
    try:
        if misses:
            # read and validate everything before rendering anything
            if warm is None:
                project = load_project(root, config)
            else:
                listing = "\n".join(sorted(str(p) for p in (root / "translations").glob("*/LC_MESSAGES/*.po")))
                project = warm.project(f"{sources}\n{listing}", lambda: load_project(root, config))
            catalogs = load_catalogs(project, (job.language.code for job in misses))
        for job in hits:
            report(job)
        if misses:
            renderer = Renderer(project, pool, report)
            stacks = read_stacks(project.root)  # styles/guide.css read once for all jobs
            for job in sorted(misses, key=lambda j: _cost(j, catalogs[j.language.code])):
                translation = translation_for(project, job.language, catalogs[job.language.code])
                required = config.required_coverage(job.language.code)
                if translation.coverage.percent < required:
                    skipped.append(Skipped(job, translation.coverage.percent, required))
                    report(job)
                    continue
                check_fonts(project, [translation], stacks)
                renderer.submit(job, translation)  # workers start while the next job is prepared
            rendered = renderer.results()
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
            for result in results:
                target = out / result.artifact.path
                if not (target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == result.artifact.sha256):
                    atomic_write(target, result.data)
            write_manifest(out, config, [r.artifact for r in results])
    return BuildReport(tuple(results), tuple(skipped))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def write_manifest(out: Path, config: GuideConfig, artifacts: Sequence[Artifact]) -> None:
    entries = {a.path: _artifact_json(a) for a in artifacts}
    old = out / MANIFEST
    if old.is_file():
        try:
            previous = json.loads(old.read_text(encoding="utf-8")).get("artifacts", [])
        except (ValueError, AttributeError):
            previous = []
        for entry in previous:  # keep artifacts of languages not rebuilt this time, if still there
            if isinstance(entry, dict) and entry.get("path") not in entries and (out / str(entry.get("path"))).is_file():
                entries[entry["path"]] = entry
    manifest = {
        "guide": config.title,
        "stand": config.stand.isoformat(),
        "generator": f"kkguide {__version__}, WeasyPrint {metadata.version('weasyprint')}",
        "artifacts": [entries[k] for k in sorted(entries)],
    }
    text = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if not (old.is_file() and old.read_bytes() == text):
        atomic_write(old, text)


def _artifact_json(artifact: Artifact) -> dict:
    return {"path": artifact.path, "language": artifact.language, "edition": artifact.edition,
            "pages": artifact.pages, "bytes": artifact.bytes, "sha256": artifact.sha256,
            "coverage": dict(artifact.coverage)}
