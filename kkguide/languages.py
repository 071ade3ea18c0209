"""How far each language of the guide is: what the languages page of every booklet shows.

A counsellor choosing a booklet for someone needs to see which editions are complete and which
are drafts. Every PDF lists all languages, so every PDF depends on every language's state; to
keep a one-language rebuild cheap, the state (percent translated, draft or reviewed) is remembered
in the cache folder per catalog content and sources, and only a changed catalog is measured again.
The states are one input of every job: a language whose state changes rebuilds the languages
pages, a catalog edit that changes no state does not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from .config import GuideConfig, Language
from .fsio import atomic_write

STATES_FILE = "languages.json"
INPUT_NAME = "languages page (completeness and review state of every language)"


@dataclass(frozen=True)
class LanguageState:
    language: Language
    percent: float          # messages printed in this language, as `kkguide status` counts them
    draft: bool

    @property
    def complete(self) -> bool:
        return self.percent >= 100.0


def _key(common_key: str, catalog: bytes | None, code: str) -> str:
    digest = hashlib.sha256(f"{common_key}\0{code}\0".encode())
    digest.update(catalog if catalog is not None else b"source")
    return digest.hexdigest()


def measure(project, language: Language, catalog) -> LanguageState:
    from .project import translation_for

    translation = translation_for(project, language, catalog)
    source = language.code == project.config.source_language.code
    draft = (not project.config.reviewed) if source else translation.draft
    return LanguageState(language, round(translation.coverage.percent, 1), draft)


def language_states(config: GuideConfig, folder, common_key: str,
                    project: Callable[[], object]) -> tuple[tuple[LanguageState, ...], dict | None]:
    """The state of every language: remembered ones from ``folder``/languages.json, the others
    measured (``project()`` loads and validates the guide, only when something must be measured).
    Returns the states and, when some were measured, what to remember (``remember``)."""
    from .catalogs import po_file
    from .project import load_catalogs

    remembered = _read(folder)
    keys, found, missing = {}, {}, []
    for lang in config.languages:
        source = lang.code == config.source_language.code
        data = None if source else (config.files.read_bytes(po_file(lang.code), "catalog")
                                    if config.files.is_file(po_file(lang.code), "catalog") else b"missing")
        keys[lang.code] = _key(common_key, data, lang.code)
        entry = remembered.get(keys[lang.code])
        if isinstance(entry, list) and len(entry) == 2:
            found[lang.code] = LanguageState(lang, float(entry[0]), bool(entry[1]))
        else:
            missing.append(lang)
    if missing:
        loaded = project()
        catalogs = load_catalogs(loaded, [lang.code for lang in missing])
        for lang in missing:
            found[lang.code] = measure(loaded, lang, catalogs[lang.code])
    states = tuple(found[lang.code] for lang in config.languages)
    kept = {keys[s.language.code]: [s.percent, s.draft] for s in states} if missing else None
    return states, kept


def remember(folder, kept: dict | None) -> None:
    """Write what ``language_states`` measured (under the output lock, with the cache)."""
    if kept is not None:
        atomic_write(folder / STATES_FILE, (json.dumps(kept, indent=1, sort_keys=True) + "\n").encode())


def states_digest(states: Sequence[LanguageState]) -> str:
    text = "\n".join(f"{s.language.code}\t{s.percent}\t{s.draft}" for s in states)
    return hashlib.sha256(text.encode()).hexdigest()


def _read(folder) -> Mapping[str, list]:
    try:
        data = json.loads((folder / STATES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
