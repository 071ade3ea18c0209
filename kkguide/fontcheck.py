"""Before rendering: can the fonts of each language's stack show every character it will print?

WeasyPrint only logs a missing glyph, and fontconfig silently substitutes an unknown font for a
missing one. This check reads the font stacks from styles/guide.css (the ``html`` rule and the
``:lang(...)`` rules), resolves each family with fontconfig, and compares the characters of every
text with the fonts' character maps (fontTools). A miss is an error naming the language, the
characters and the fonts.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import tinycss2

from .errors import KkguideError
from .files import ProjectFiles
from .frozen import FrozenMap

CSS_FILE = "styles/guide.css"
_LANG = re.compile(r":lang\(\s*([a-zA-Z-]+)\s*\)")
_IGNORED = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


@dataclass(frozen=True)
class FontStacks:
    default: tuple[str, ...]
    by_lang: Mapping[str, tuple[str, ...]]

    def for_lang(self, code: str) -> tuple[str, ...]:
        return self.by_lang.get(code, self.default)


def _families(tokens) -> tuple[str, ...]:
    families, current = [], []
    for tok in tokens:
        if tok.type == "literal" and tok.value == ",":
            families.append(" ".join(current))
            current = []
        elif tok.type == "string":
            current.append(tok.value)
        elif tok.type == "ident":
            current.append(tok.value)
    families.append(" ".join(current))
    return tuple(f for f in families if f and f.lower() not in GENERIC)


def read_stacks(files: ProjectFiles, theme_fonts: Mapping[str, tuple[str, ...]] | None = None) -> FontStacks:
    """The font stacks of styles/guide.css, with the guide.yml theme's fonts (``theme_fonts``)
    applied as the theme's CSS applies them (``kkguide.theme.themed_stacks``)."""
    base = _css_stacks(files)
    if not theme_fonts:
        return base
    from .theme import themed_stacks

    return themed_stacks(base, theme_fonts)


def _css_stacks(files: ProjectFiles) -> FontStacks:
    rules = tinycss2.parse_stylesheet(files.read_text(CSS_FILE, "style"),
                                      skip_comments=True, skip_whitespace=True)
    default: tuple[str, ...] = ()
    by_lang: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
            if decl.type != "declaration" or decl.lower_name != "font-family":
                continue
            families = _families(decl.value)
            if selector == "html":
                default = families
            for part in selector.split(","):
                match = _LANG.fullmatch(part.strip())
                if match:
                    by_lang[match.group(1)] = families
    return FontStacks(default, FrozenMap(by_lang))


@lru_cache(maxsize=64)
def resolve(family: str) -> Path | None:
    """The font file fontconfig uses for ``family``, or None when it would substitute another."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", family], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    names, _, file = out.partition("\t")
    if family.lower() not in {n.strip().lower() for n in names.split(",")}:
        return None
    return Path(file)


@lru_cache(maxsize=64)
def charset(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # only when texts are checked: the cache lookup reads the stacks

    with TTFont(str(path), lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or {})


def check_texts(stacks: FontStacks, texts: Mapping[str, Iterable[str]]) -> None:
    """``texts``: language code -> texts printed in that language's font stack."""
    for code, items in sorted(texts.items()):
        stack = stacks.for_lang(code)
        files = [(family, resolve(family)) for family in stack]
        missing_fonts = [family for family, path in files if path is None]
        if missing_fonts and all(path is None for _, path in files):
            raise KkguideError(f"{code}: none of the fonts {', '.join(stack)} is installed "
                               "(Debian: apt-get install fonts-noto-core)", CSS_FILE)
        covered = frozenset().union(*(charset(path) for _, path in files if path is not None))
        needed = {ch for text in items for ch in _IGNORED.sub("", text)}
        lacking = sorted(ch for ch in needed if ord(ch) not in covered)
        if lacking:
            chars = ", ".join(f"U+{ord(c):04X} '{c}'" for c in lacking[:10])
            more = f" and {len(lacking) - 10} more" if len(lacking) > 10 else ""
            hint = f"; not installed: {', '.join(missing_fonts)}" if missing_fonts else ""
            raise KkguideError(f"{code}: no glyph for {chars}{more} in the font stack {', '.join(stack)}{hint}",
                               CSS_FILE)
