"""Read and validate everything a build needs: config, facts, chapters, messages, catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image
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

MAX_MESSAGE_CHARS = 4000      # one paragraph; longer text must be split to stay translatable
MAX_MESSAGES_PER_CHAPTER = 1500


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


def load_project(root: Path, config: GuideConfig | None = None) -> Project:
    """Read and validate the whole guide (``config``: guide.yml already read from ``root``)."""
    config = config or load_config(root)
    facts = load_facts(root)
    chapters = load_chapters(root)
    md = make_markdown()
    segments: list[Segment] = list(guide_messages(
        config.title, config.subtitle, config.located.path,
        (config.located.line("title"), config.located.line("subtitle"))))
    for chapter in chapters:
        found = extract(md, chapter)
        _check_sizes(chapter, found)
        segments.extend(found)
        _check_images(root, md, chapter)
        _check_fact_refs(chapter, facts)
    _check_catalog_folders(root, config)
    ids = {c.id for c in chapters}
    for name, wanted in config.handout_profiles.items():
        for index, cid in enumerate(wanted):
            if cid not in ids:
                raise KkguideError(f"handout profile '{name}' names chapter '{cid}', which does not exist",
                                   config.located.path, config.located.line("handout_profiles", name, index))
    return Project(config, facts, chapters, tuple(segments), ui_messages(root))


def _check_sizes(chapter: Chapter, segments: tuple[Segment, ...]) -> None:
    for seg in segments:
        if len(seg.msgid) > MAX_MESSAGE_CHARS:
            raise KkguideError(f"{seg.kind} of {len(seg.msgid):,} characters (at most {MAX_MESSAGE_CHARS:,}): "
                               "split it into shorter paragraphs", seg.path, seg.line)
    if len(segments) > MAX_MESSAGES_PER_CHAPTER:
        raise KkguideError(f"{len(segments):,} translatable blocks (at most {MAX_MESSAGES_PER_CHAPTER:,}): "
                           "split the chapter", chapter.path, segments[MAX_MESSAGES_PER_CHAPTER].line)


def _check_catalog_folders(root: Path, config: GuideConfig) -> None:
    known = {lang.code for lang in config.languages}
    for po in sorted((root / "translations").glob("*/LC_MESSAGES/*.po")):
        code = po.parent.parent.name
        if code not in known:
            raise KkguideError(f"catalog for language '{code}', which guide/guide.yml does not list "
                               "(add it to 'languages' or remove the folder)", po.relative_to(root))


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
        path = root / "guide" / src
        if not path.is_file():
            raise KkguideError(f"image not found: guide/{src}", chapter.path, where)
        problem = image_problem(path)
        if problem:
            raise KkguideError(f"image guide/{src} cannot be used: {problem}", chapter.path, where)


def image_problem(path: Path) -> str | None:
    """Why an image file cannot be placed (None if it can): decoded before anything renders."""
    if path.suffix.lower() == ".svg":
        try:
            root = ElementTree.parse(path).getroot()
        except (ElementTree.ParseError, OSError) as exc:
            return f"not valid SVG ({exc})"
        return None if root.tag.endswith("svg") else "not an SVG document"
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return f"not a readable image ({exc})"
    return None


def load_catalogs(project: Project, codes: Iterable[str]) -> Mapping[str, Catalog | None]:
    """The catalog of every language in ``codes`` (None for the source language), validated."""
    source = project.config.source_language.code
    return FrozenMap({c: None if c == source else load_catalog(project.root, c) for c in sorted(set(codes))})


def translation_for(project: Project, language: Language, catalog: Catalog | None) -> Translation:
    return translate(language, project.config.source_language.code, project.segments, project.ui, catalog)
