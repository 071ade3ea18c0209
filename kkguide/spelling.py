"""Spelling against Debian's hunspell dictionaries (``hunspell -a``, the ispell pipe protocol).

Reported by ``kkguide check`` with file:line, never a reason to refuse a translation: a
dictionary misses names, new words and German terms. Words that also stand in the German source
(names, towns, the German office names in parentheses) and the glossary's wordings are not
checked. Languages without a Debian hunspell dictionary (Persian, Pashto, Sorani, Tigrinya,
Somali) are listed as not checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from .checks import _WORD_RE as _WORD

DICTIONARY_DIR = Path("/usr/share/hunspell")
# kkguide language -> hunspell dictionary (Debian packages hunspell-<lang>)
DICTIONARIES = {"en": "en_GB", "ar": "ar", "uk": "uk_UA", "tr": "tr_TR", "nl": "nl_NL", "fr": "fr_FR",
                "pl": "pl_PL", "ro": "ro_RO", "bg": "bg_BG", "ru": "ru_RU", "kmr": "kmr_Latn", "de-x-easy": "de_DE",
                "sq": "sq_AL"}


def dictionary(code: str) -> Path | None:
    name = DICTIONARIES.get(code)
    if name is None or shutil.which("hunspell") is None:
        return None
    path = DICTIONARY_DIR / f"{name}.dic"
    return path if path.exists() else None


def misspelled(code: str, texts: Sequence[str]) -> list[list[str]] | None:
    """For each text, the words hunspell does not know; None when there is no dictionary."""
    dic = dictionary(code)
    if dic is None:
        return None
    lines = ["^" + " ".join(t.split()) for t in texts]
    proc = subprocess.run(["hunspell", "-a", "-i", "utf-8", "-d", str(dic.with_suffix(""))],
                          input=("\n".join(lines) + "\n").encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        return None
    blocks = proc.stdout.decode("utf-8", "replace").split("\n")[1:]   # the first line is the banner
    found: list[list[str]] = [[] for _ in texts]
    index = 0
    for line in blocks:
        if index >= len(texts):
            break
        if not line.strip():
            index += 1
        elif line[0] in "&#":
            found[index].append(line.split(" ")[1])
    return found


def words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}
