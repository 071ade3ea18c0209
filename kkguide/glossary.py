"""Glossary: ``guide/glossary.yml`` maps a German term to the translation each language must use.

``kkguide check`` reports every translated message whose German contains the term (also inside a
compound, without case) and whose translation does not contain the required wording. It only
reports: a missed term is a consistency problem for a reviewer, not damage that makes a
translation unusable, and printing German instead would help no reader. ``kkguide glossary
--tbx FILE`` writes the glossary as TBX (translate-toolkit's TBX store) for CAT tools.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Mapping

from .errors import KkguideError
from .files import ProjectFiles
from .frozen import FrozenMap
from .yamlfile import load_yaml

GLOSSARY_FILE = "guide/glossary.yml"


@dataclass(frozen=True)
class Term:
    german: str
    required: Mapping[str, str]     # language code -> wording the translation must contain
    line: int


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    path: str = GLOSSARY_FILE


def _fold(text: str) -> str:
    """Compare without case, typographic apostrophes and Unicode composition differences."""
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("ʼ", "'").casefold()


def load_glossary(files: ProjectFiles, languages: set[str]) -> Glossary:
    """The glossary (empty when the file does not exist); every term and language is checked."""
    if not files.is_file(GLOSSARY_FILE, "config"):
        return Glossary(())
    doc = load_yaml(files.read_text(GLOSSARY_FILE, "config"), GLOSSARY_FILE)
    if doc.data is None:
        return Glossary(())
    if not isinstance(doc.data, dict):
        raise KkguideError("expected a mapping of German terms to translations per language", GLOSSARY_FILE, 1)
    terms = []
    for german, wanted in doc.data.items():
        if not isinstance(german, str) or not german.strip():
            raise KkguideError("a glossary term must be a non-empty German text", GLOSSARY_FILE, doc.line(german))
        if not isinstance(wanted, dict) or not wanted:
            raise KkguideError(f"'{german}' must map language codes to translations", GLOSSARY_FILE, doc.line(german))
        required = {}
        for code, text in wanted.items():
            if code not in languages:
                raise KkguideError(f"'{german}' names language '{code}', which guide/guide.yml does not list",
                                   GLOSSARY_FILE, doc.line(german, code))
            if not isinstance(text, str) or not text.strip():
                raise KkguideError(f"'{german}' in '{code}' must be a non-empty text", GLOSSARY_FILE,
                                   doc.line(german, code))
            required[str(code)] = text.strip()
        terms.append(Term(german.strip(), FrozenMap(required), doc.line(german)))
    return Glossary(tuple(terms))


def glossary_problems(glossary: Glossary, lang: str, msgid: str, msgstr: str) -> list[str]:
    found = []
    for term in glossary.terms:
        wanted = term.required.get(lang)
        if wanted and _fold(term.german) in _fold(msgid) and _fold(wanted) not in _fold(msgstr):
            found.append(f"glossary: '{term.german}' is '{wanted}' in this language "
                         f"({glossary.path}:{term.line})")
    return found


def tbx_text(glossary: Glossary, source_language: str) -> str:
    """The glossary as TBX, one termEntry per German term with a langSet per language."""
    from translate.storage import tbx

    store = tbx.tbxfile(sourcelanguage=source_language)
    for number, term in enumerate(glossary.terms, 1):
        unit = store.addsourceunit(term.german)
        unit.setid(f"term-{number}")
        for code, text in sorted(term.required.items()):
            unit.settarget(text, lang=code, append=True)
    return bytes(store).decode("utf-8")
