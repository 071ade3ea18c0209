"""Read and validate everything a build needs: config, facts, chapters, messages, catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .catalogs import Catalog, UiMessage, load_catalog
from .config import Facts, GuideConfig, Language, load_config, load_facts
from .errors import KkguideError
from .frozen import FrozenMap
from .markdown import fact_refs, make_markdown
from .render import ui_messages
from .segments import Segment, extract, guide_messages, image_sources
from .sources import Chapter, load_chapters
from .translate import Translation, translate


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

    @property
    def messages(self) -> frozenset[str]:
        return frozenset(s.msgid for s in self.segments) | frozenset(u.msgid for u in self.ui)


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


def load_catalogs(project: Project, codes: Iterable[str]) -> Mapping[str, Catalog | None]:
    """The catalog of every language in ``codes`` (None for the source language), validated."""
    source = project.config.source_language.code
    return FrozenMap({c: None if c == source else load_catalog(project.root, c) for c in sorted(set(codes))})


def translation_for(project: Project, language: Language, catalog: Catalog | None) -> Translation:
    return translate(language, project.config.source_language.code, project.segments, project.ui, catalog)
