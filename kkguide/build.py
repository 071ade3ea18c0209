"""Stage 8: plan (language x edition) jobs, read and validate everything, render, then write.

Nothing is written before every job has rendered: a failing job leaves ``dist/`` untouched.
Each file is written atomically; ``manifest.json`` lists every artifact with its checksum.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Sequence

import weasyprint

from . import __version__
from .catalogs import Catalog, UiMessage, load_catalog
from .config import Edition, Facts, GuideConfig, Language, load_config, load_facts
from .errors import KkguideError
from .fsio import atomic_write
from .markdown import fact_refs, make_markdown
from .pdf import render_pdf
from .render import render_html, ui_messages
from .segments import Segment, extract, guide_messages, image_sources
from .sources import Chapter, load_chapters
from .translate import Coverage, Translation, translate

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Project:
    """Everything a build reads, validated."""

    config: GuideConfig
    facts: Facts
    chapters: tuple[Chapter, ...]
    segments: tuple[Segment, ...]
    ui: tuple[UiMessage, ...]

    @property
    def root(self) -> Path:
        return self.config.root


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
    translation: Translation
    warnings: tuple[str, ...]


def load_project(root: Path) -> Project:
    config = load_config(root)
    facts = load_facts(root)
    chapters = load_chapters(root)
    md = make_markdown()
    segments: list[Segment] = list(guide_messages(
        config.title, config.subtitle, config.located.path,
        (config.located.line("title"), config.located.line("subtitle"))))
    for chapter in chapters:
        segments.extend(extract(md, chapter))
        _check_images(root, md, chapter)
    for chapter in chapters:
        _check_fact_refs(chapter, facts)
    return Project(config, facts, chapters, tuple(segments), ui_messages(root))


def _check_fact_refs(chapter: Chapter, facts: Facts) -> None:
    """Every {{id.field}} in the chapter (prose, tables, front matter) names a known fact."""
    lines = [(chapter.title_line, chapter.title), (chapter.summary_line, chapter.summary)]
    lines += [(chapter.body_line + i, text) for i, text in enumerate(chapter.body.split("\n"))]
    for line, text in lines:
        for ref in fact_refs(text):
            if facts.get(ref) is None:
                raise KkguideError(f"unknown fact reference {{{{{ref}}}}} (not in {facts.path})", chapter.path, line)


def _check_images(root: Path, md, chapter: Chapter) -> None:
    for src, line in image_sources(md.parse(chapter.body, {})):
        where = chapter.body_line + line
        if not src.startswith("images/"):
            raise KkguideError(f"image '{src}' must be in guide/images/ and written as images/NAME", chapter.path, where)
        if not (root / "guide" / src).is_file():
            raise KkguideError(f"image not found: guide/{src}", chapter.path, where)


def plan(config: GuideConfig, languages: Sequence[str], editions: Sequence[str]) -> tuple[Job, ...]:
    langs = [config.language(code) for code in languages] or list(config.languages)
    eds = [config.edition(name) for name in editions] or [config.edition(n) for n in config.default_editions]
    return tuple(Job(lang, ed) for lang in langs for ed in eds)


def load_catalogs(project: Project, jobs: Iterable[Job]) -> Mapping[str, Catalog | None]:
    source = project.config.source_language.code
    codes = sorted({job.language.code for job in jobs})
    return MappingProxyType({c: None if c == source else load_catalog(project.root, c) for c in codes})


def translation_for(project: Project, language: Language, catalog: Catalog | None) -> Translation:
    return translate(language, project.config.source_language.code, project.segments, project.ui, catalog)


def coverage_dict(coverage: Coverage) -> dict[str, int | float]:
    fields = asdict(coverage)
    fields["percent"] = round(coverage.percent, 1)
    return fields


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


def run_job(project: Project, job: Job, translation: Translation) -> JobResult:
    md = make_markdown()
    html = render_html(project.config, project.facts, project.chapters, translation, job.edition, md)
    pdf = render_pdf(html, project.root, job.filename)
    artifact = Artifact(path=job.filename, language=job.language.code, edition=job.edition.name,
                        pages=pdf.pages, bytes=len(pdf.data), sha256=hashlib.sha256(pdf.data).hexdigest(),
                        coverage=MappingProxyType(coverage_dict(translation.coverage)))
    return JobResult(job, artifact, pdf.data, translation, pdf.warnings)


def build(root: Path, out: Path, languages: Sequence[str] = (), editions: Sequence[str] = (),
          report: Callable[[Job], None] = lambda job: None) -> BuildReport:
    """Read and validate all, render every job in memory, then write PDFs and the manifest."""
    project = load_project(root)
    jobs = plan(project.config, languages, editions)
    catalogs = load_catalogs(project, jobs)
    results, skipped = [], []
    for job in jobs:
        translation = translation_for(project, job.language, catalogs[job.language.code])
        required = project.config.required_coverage(job.language.code)
        if translation.coverage.percent < required:
            skipped.append(Skipped(job, translation.coverage.percent, required))
        else:
            results.append(run_job(project, job, translation))
        report(job)
    for result in results:
        atomic_write(out / result.artifact.path, result.data)
    if results:
        write_manifest(out, project.config, [r.artifact for r in results])
    return BuildReport(tuple(results), tuple(skipped))


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
        "generator": f"kkguide {__version__}, WeasyPrint {weasyprint.__version__}",
        "artifacts": [entries[k] for k in sorted(entries)],
    }
    atomic_write(old, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _artifact_json(artifact: Artifact) -> dict:
    return {"path": artifact.path, "language": artifact.language, "edition": artifact.edition,
            "pages": artifact.pages, "bytes": artifact.bytes, "sha256": artifact.sha256,
            "coverage": dict(artifact.coverage)}
