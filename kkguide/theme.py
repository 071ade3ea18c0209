"""A guide's own look, from the ``theme`` block of guide/guide.yml: colours, logo, fonts, an extra
style sheet. No template or kkguide code is edited for it.

Colours set design tokens, the CSS custom properties the style sheets use (``--kk-ink`` ...,
named in ``kkguide.schema.THEME_COLOURS``); fonts replace font stacks (the font check and the
cache see the same stacks, ``themed_stacks``); the logo goes on the cover and into the web
edition's header. The PDF templates get the theme as one ``<style>`` block after the style
sheets (``css``); the web edition, whose pages forbid inline styles, as ``styles/theme.css``.
Every value is checked here, so the CSS built from them can hold nothing but colours, quoted
family names and selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from .errors import KkguideError
from .files import ProjectFiles
from .frozen import FrozenMap
from .schema import THEME, THEME_COLOURS
from .yamlfile import Located, check_keys

if TYPE_CHECKING:
    from .fontcheck import FontStacks

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FAMILY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LOGO = re.compile(r"^guide/images/[A-Za-z0-9._-]+\.(svg|png|jpe?g)$")
_SHEET = re.compile(r"^styles/[A-Za-z0-9._/-]+\.css$")
TOKENS = {key: token for key, token, _ in THEME_COLOURS}
# text colours stand on white paper; the ground colour carries black text
TEXT_COLOURS = ("ink", "identity", "alert")
MIN_CONTRAST = 4.5
WEB_FILE = "styles/theme.css"


@dataclass(frozen=True)
class Theme:
    colours: Mapping[str, str] = field(default_factory=FrozenMap)     # theme key -> #rrggbb
    logo: str = ""                                                    # guide/images/...
    fonts: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenMap)  # "default" or code -> stack
    stylesheet: str = ""                                              # styles/....css

    @property
    def empty(self) -> bool:
        return not (self.colours or self.logo or self.fonts or self.stylesheet)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05) of two colours, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def load_theme(doc: Located, data: object, files: ProjectFiles, languages: tuple[str, ...]) -> Theme:
    """The ``theme`` block of guide.yml, every value checked (files exist, fonts installed)."""
    if data is None:
        return Theme()
    check_keys(doc, data, ("theme",), THEME.required_names, THEME.optional_names)
    return Theme(colours=_colours(doc, data.get("colours", {})), logo=_logo(doc, data.get("logo"), files),
                 fonts=_fonts(doc, data.get("fonts", {}), languages),
                 stylesheet=_stylesheet(doc, data.get("stylesheet"), files))


def _colours(doc: Located, data: object) -> FrozenMap:
    key = THEME.child("colours")
    check_keys(doc, data, ("theme", "colours"), key.required_names, key.optional_names)
    colours = {}
    for name, value in data.items():
        line = doc.line("theme", "colours", name)
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise KkguideError(f"theme colour '{name}' must be written #rrggbb (in quotes), not {value!r}",
                               doc.path, line)
        value = value.lower()
        ratio = contrast(value, "#000000" if name == "ground" else "#ffffff")
        if ratio < MIN_CONTRAST:
            against = "black text on it" if name == "ground" else "white paper"
            raise KkguideError(f"theme colour '{name}' {value} has a contrast of {ratio:.2f}:1 with {against}; "
                               f"text needs at least {MIN_CONTRAST}:1 (WCAG 2.x)", doc.path, line)
        colours[name] = value
    return FrozenMap(colours)


def _logo(doc: Located, value: object, files: ProjectFiles) -> str:
    if value is None:
        return ""
    line = doc.line("theme", "logo")
    if not isinstance(value, str) or not _LOGO.match(value):
        raise KkguideError(f"theme logo must be an SVG, PNG or JPEG file in guide/images/, not {value!r}",
                           doc.path, line)
    from .images import image_problem

    try:
        if not files.is_file(value, "image"):
            raise KkguideError(f"theme logo not found: {value}", doc.path, line)
        problem = image_problem(value, files.read_bytes(value, "image"))
    except KkguideError as exc:
        raise exc.at(doc.path, line) from None
    if problem:
        raise KkguideError(f"theme logo {value} cannot be used: {problem}", doc.path, line)
    return value


def _fonts(doc: Located, data: object, languages: tuple[str, ...]) -> FrozenMap:
    from .fontcheck import resolve

    if not isinstance(data, dict):
        raise KkguideError("theme fonts must map 'default' or language codes to lists of font families",
                           doc.path, doc.line("theme", "fonts"))
    fonts = {}
    for name, stack in data.items():
        line = doc.line("theme", "fonts", name)
        if name != "default" and not (isinstance(name, str) and _LANG.match(name) and name in languages):
            raise KkguideError(f"theme fonts names '{name}': use 'default' or a language of 'languages'",
                               doc.path, line)
        if isinstance(stack, str):
            stack = [stack]
        if (not isinstance(stack, list) or not stack
                or not all(isinstance(f, str) and _FAMILY.match(f) for f in stack)):
            raise KkguideError(f"theme fonts '{name}' must be a list of font family names", doc.path, line)
        for family in stack:
            if resolve(family) is None:
                raise KkguideError(f"theme font '{family}' is not installed (fontconfig does not know it; "
                                   "fc-list shows the installed families)", doc.path, line)
        fonts[name] = tuple(stack)
    return FrozenMap(fonts)


def _stylesheet(doc: Located, value: object, files: ProjectFiles) -> str:
    if value is None:
        return ""
    line = doc.line("theme", "stylesheet")
    if not isinstance(value, str) or not _SHEET.match(value) or ".." in value.split("/"):
        raise KkguideError(f"theme stylesheet must be a .css file in styles/, not {value!r}", doc.path, line)
    try:
        if not files.is_file(value, "style"):
            raise KkguideError(f"theme stylesheet not found: {value}", doc.path, line)
    except KkguideError as exc:
        raise exc.at(doc.path, line) from None
    return value


def themed_stacks(base: "FontStacks", fonts: Mapping[str, tuple[str, ...]]) -> "FontStacks":
    """The style sheet's font stacks with the theme's: ``default`` replaces the default stack and
    every language stack that equals it; a language's own entry replaces that language's."""
    from .fontcheck import FontStacks

    if not fonts:
        return base
    default = fonts.get("default", base.default)
    by_lang = {code: (default if "default" in fonts and stack == base.default else stack)
               for code, stack in base.by_lang.items()}
    by_lang.update({code: stack for code, stack in fonts.items() if code != "default"})
    return FontStacks(default, FrozenMap(by_lang))


def _family_list(stack: tuple[str, ...]) -> str:
    return ", ".join(f'"{family}"' for family in stack) + ", sans-serif"


def project_css(theme: Theme, files: ProjectFiles) -> str:
    """``css`` against the project's style sheet (read only when the theme sets fonts)."""
    if theme.empty:
        return ""
    from .fontcheck import read_stacks

    return css(theme, read_stacks(files) if theme.fonts else None)


def css(theme: Theme, base: "FontStacks | None") -> str:
    """The theme as CSS rules that follow the style sheets ('' for no theme)."""
    rules = []
    if theme.colours:
        tokens = "; ".join(f"{TOKENS[name]}: {value}" for name, value in theme.colours.items())
        rules.append(f":root {{ {tokens}; }}")
    if theme.fonts:
        themed = themed_stacks(base, theme.fonts)
        if themed.default != base.default:
            rules.append(f"html {{ font-family: {_family_list(themed.default)}; }}")
        changed: dict[tuple[str, ...], list[str]] = {}
        for code, stack in themed.by_lang.items():
            if base.by_lang.get(code) != stack:
                changed.setdefault(stack, []).append(code)
        for stack, codes in changed.items():
            selector = ", ".join(f":lang({code})" for code in codes)
            rules.append(f"{selector} {{ font-family: {_family_list(stack)}; }}")
    text = "\n".join(rules)
    if "<" in text or "\\" in text:  # pragma: no cover - every value was checked against a pattern
        raise KkguideError("theme values contain characters that do not belong in CSS")
    return text
