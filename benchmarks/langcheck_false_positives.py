"""Wrong-language check on the shipped catalogs: how many messages lingua judges, how many it flags.

    .venv/bin/python benchmarks/langcheck_false_positives.py
Every shipped translation is taken as correct (drafts, but in their language): each flag is a
false positive.
"""

from pathlib import Path

from kkguide.catalogs import load_catalog
from kkguide.checks import prose
from kkguide.langcheck import MIN_LETTERS, wrong_language
from kkguide.project import load_project

project = load_project(Path(__file__).resolve().parent.parent)
codes = tuple(lang.code for lang in project.config.target_languages)
total = judged = flagged = 0
for lang in project.config.target_languages:
    catalog = load_catalog(project.config.files, lang.code)
    for entry in catalog.entries.values():
        if not entry.msgstr or entry.fuzzy:
            continue
        text = prose(entry.msgid, entry.msgstr)
        total += 1
        judged += sum(ch.isalpha() for ch in text) >= MIN_LETTERS
        found = wrong_language(lang.code, codes, text)
        if found:
            flagged += 1
            print(f"{catalog.path}:{entry.line}: {lang.code}: reads as {found}: {text[:80]}")
print(f"{total} translations, {judged} long enough to judge (>= {MIN_LETTERS} letters of own prose), "
      f"{flagged} flagged")
