"""Read and validate everything a build needs: config, facts, chapters, messages, catalogs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .catalogs import Catalog, UiMessage, load_catalog
from .config import Facts, GuideConfig, Language, facts_day, load_config, load_facts
from .errors import KkguideError
from .files import ProjectFiles, describe_char
from .images import image_problem
from .frozen import FrozenMap
from .glossary import Glossary, load_glossary
from .markdown import fact_refs, make_markdown
from .render import ui_messages
from .segments import Key, Segment, assign_contexts, extract, guide_messages, image_sources
from .sources import Chapter, load_chapters
from .translate import Translation, translate

MAX_MESSAGE_CHARS = 4000      # one paragraph; longer text must be split to stay translatable
MAX_MESSAGES_PER_CHAPTER = 1500
MAX_NESTING = 12              # lists in lists in quotes ...: the guide needs three levels
# Bidi marks and isolates have no place in the German source (they are for right-to-left
# translations); embeddings and overrides are refused in every file by the one door.
_SOURCE_BIDI = re.compile("[\u200e\u200f\u061c\u2066-\u2069]")


@dataclass(frozen=True)
class Project:
    """Everything a build reads, validated."""

    config: GuideConfig
    facts: Facts
    chapters: tuple[Chapter, ...]
    segments: tuple[Segment, ...]
    ui: tuple[UiMessage, ...]
    images: tuple[str, ...] = ()     # every image the chapters place (guide/images/...), checked
    template_facts: tuple = ()       # facts.Use of every fact("id.field") in the templates
    glossary: Glossary = Glossary(())   # guide/glossary.yml, checked
    language_states: tuple = ()         # languages.LanguageState of every language, for the languages page
    kreis_map: object = None            # geomap.KreisMap of guide/map.yml (None: the guide has no map)

    def printed_facts(self, chapters: tuple[Chapter, ...] | None = None) -> tuple[str, ...]:
        """The facts a document of ``chapters`` (default: all) prints, with the templates' own."""
        from .facts import printed_refs

        return printed_refs(self.chapters if chapters is None else chapters, self.template_facts)

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def messages(self) -> frozenset[Key]:
        """Every message of the guide, as (msgctxt, msgid)."""
        return frozenset(s.key for s in self.segments) | frozenset(u.key for u in self.ui)


def load_project(root: Path, config: GuideConfig | None = None) -> Project:
    """Read and validate the whole guide (``config``: guide.yml already read from ``root``)."""
    from .facts import check_reviewed, check_template_refs, template_uses

    config = config or load_config(root)
    facts = load_facts(config.files, facts_day(config), config.max_fact_age_days)
    chapters = load_chapters(config.files)
    md = make_markdown()
    segments: list[Segment] = list(guide_messages(
        config.title, config.subtitle, config.located.path,
        (config.located.line("title"), config.located.line("subtitle"))))
    images: dict[str, None] = {}
    for chapter in chapters:
        _check_nesting(md, chapter)
        found = extract(md, chapter)
        _check_sizes(chapter, found)
        segments.extend(found)
        images.update(dict.fromkeys(_check_images(config.files, md, chapter)))
        _check_fact_refs(chapter, facts)
    _check_catalog_folders(root, config)
    _check_styles(config.files)
    ids = {c.id for c in chapters}
    for name, wanted in config.handout_profiles.items():
        for index, cid in enumerate(wanted):
            if cid not in ids:
                raise KkguideError(f"handout profile '{name}' names chapter '{cid}', which does not exist",
                                   config.located.path, config.located.line("handout_profiles", name, index))
    templates = template_uses(config.files)
    check_template_refs(templates, facts)
    segs, ui = assign_contexts(segments, ui_messages(config.files))
    glossary = load_glossary(config.files, {lang.code for lang in config.languages})
    from .geomap import load_map

    project = Project(config, facts, chapters, segs, ui, tuple(images), templates, glossary,
                      kreis_map=load_map(config.files))
    check_reviewed(config, facts, project.printed_facts())
    return project


def _check_nesting(md, chapter: Chapter) -> None:
    line = 0
    for tok in md.parse(chapter.body, {}):
        if tok.map:
            line = tok.map[0]
        if tok.level > MAX_NESTING:
            raise KkguideError(f"Markdown nested more than {MAX_NESTING} levels deep", chapter.path,
                               chapter.body_line + line)


def _check_sizes(chapter: Chapter, segments: tuple[Segment, ...]) -> None:
    for seg in segments:
        bidi = _SOURCE_BIDI.search(seg.msgid)
        if bidi:
            raise KkguideError(f"{seg.kind} contains {describe_char(bidi.group())}: bidi controls do not "
                               "belong in the German source", seg.path, seg.line)
        if len(seg.msgid) > MAX_MESSAGE_CHARS:
            raise KkguideError(f"{seg.kind} of {len(seg.msgid):,} characters (at most {MAX_MESSAGE_CHARS:,}): "
                               "split it into shorter paragraphs", seg.path, seg.line)
    if len(segments) > MAX_MESSAGES_PER_CHAPTER:
        raise KkguideError(f"{len(segments):,} translatable blocks (at most {MAX_MESSAGES_PER_CHAPTER:,}): "
                           "split the chapter", chapter.path, segments[MAX_MESSAGES_PER_CHAPTER].line)


def _css_urls(tokens):
    """(target, line) of every url() and @import in a tinycss2 token list, nested ones too."""
    for tok in tokens or ():
        if tok.type == "url":
            yield tok.value, tok.source_line
        elif tok.type == "function":
            if tok.lower_name == "url":
                strings = [t for t in tok.arguments if t.type == "string"]
                yield (strings[0].value if strings else ""), tok.source_line
            yield from _css_urls(tok.arguments)
        elif tok.type in ("() block", "[] block", "{} block"):
            yield from _css_urls(tok.content)


def _check_styles(files: ProjectFiles) -> None:
    """Style sheets refer only to files in styles/ and guide/ (no network, no other file): a
    located error here, before WeasyPrint's fetcher would refuse it during a render."""
    import posixpath

    import tinycss2

    for shown in files.listing("styles", "*.css", kind="style"):
        rules = tinycss2.parse_stylesheet(files.read_text(shown, "style"))
        for rule in rules:
            tokens = list(getattr(rule, "prelude", None) or []) + list(getattr(rule, "content", None) or [])
            if rule.type == "at-rule" and rule.lower_at_keyword == "import":
                strings = [t for t in rule.prelude if t.type == "string"]
                if strings:
                    tokens.append(type("U", (), {"type": "url", "value": strings[0].value,
                                                  "source_line": rule.source_line})())
            for target, line in _css_urls(tokens):
                if target.startswith("#"):
                    continue
                rel = posixpath.normpath(posixpath.join("styles", target)) if target else ""
                if not target or "://" in target or target.startswith(("/", "data:")) or ":" in target.split("/")[0]:
                    raise KkguideError(f"refused: url({target}) — style sheets may only refer to files in "
                                       "styles/ and guide/ (no network, no absolute paths)", shown, line)
                try:
                    files.locate(rel, "style resource", dirs=("styles", "guide"))
                except KkguideError as exc:
                    raise exc.at(shown, line) from None


def _check_catalog_folders(root: Path, config: GuideConfig) -> None:
    known = {lang.code for lang in config.languages}
    for po in config.files.listing("translations", "*/LC_MESSAGES/*.po", kind="catalog"):
        code = po.split("/")[1]
        if code not in known:
            raise KkguideError(f"catalog for language '{code}', which guide/guide.yml does not list "
                               "(add it to 'languages' or remove the folder)", po)


def _check_fact_refs(chapter: Chapter, facts: Facts) -> None:
    """Every {{id.field}} in the chapter (prose, tables, front matter) names a known fact."""
    lines = [(chapter.title_line, chapter.title), (chapter.summary_line, chapter.summary)]
    lines += [(chapter.body_line + i, text) for i, text in enumerate(chapter.body.split("\n"))]
    for line, text in lines:
        for ref in fact_refs(text):
            if facts.get(ref) is None:
                raise KkguideError(f"unknown fact reference {{{{{ref}}}}} (not in {facts.path})", chapter.path, line)


def _check_images(files: ProjectFiles, md, chapter: Chapter) -> list[str]:
    """The images a chapter places, each found, inside the project and decodable."""
    found = []
    for src, line in image_sources(md.parse(chapter.body, {})):
        where = chapter.body_line + line
        if not src.startswith("images/"):
            raise KkguideError(f"image '{src}' must be in guide/images/ and written as images/NAME", chapter.path, where)
        rel = f"guide/{src}"
        try:
            if not files.is_file(rel, "image"):
                raise KkguideError(f"image not found: {rel}", chapter.path, where)
            data = files.read_bytes(rel, "image")
        except KkguideError as exc:
            raise exc.at(chapter.path, where) if exc.path != chapter.path else exc from None
        problem = image_problem(rel, data)
        if problem:
            raise KkguideError(f"image {rel} cannot be used: {problem}", chapter.path, where)
        found.append(rel)
    return found


def load_catalogs(project: Project, codes: Iterable[str]) -> Mapping[str, Catalog | None]:
    """The catalog of every language in ``codes`` (None for the source language), validated."""
    source = project.config.source_language.code
    files = project.config.files
    return FrozenMap({c: None if c == source else load_catalog(files, c) for c in sorted(set(codes))})


def translation_for(project: Project, language: Language, catalog: Catalog | None) -> Translation:
    return translate(language, project.config.source_language.code, project.segments, project.ui, catalog)
