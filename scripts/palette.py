#!/usr/bin/env python3
"""The palette table of docs/design.md, computed from styles/tokens.css (run after changing a colour):

    .venv/bin/python scripts/palette.py          # rewrites the table between the markers
    .venv/bin/python scripts/palette.py --check  # exit 1 if docs/design.md is out of date

Per colour token: the screen sRGB value; its contrast with white (WCAG 2 formula); the CMYK it
prints as when it paints an area (kkguide.press.rgb_to_cmyk through the guide's output profile,
littleCMS, relative colorimetric; neutral greys as K only); and the one ink it prints as when it
is fine work (text below 12 pt, rules below 1 pt): a K tint of the colour's luma (Rec. 601).
"""

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kkguide.config import load_config  # noqa: E402
from kkguide.fsio import atomic_write  # noqa: E402
from kkguide.press import rgb_to_cmyk  # noqa: E402

DOC = REPO / "docs/design.md"
BEGIN, END = "<!-- palette:begin (scripts/palette.py) -->", "<!-- palette:end -->"


def tokens(css: str) -> list[tuple[str, str, str]]:
    """(token, #rrggbb, comment) in the order of tokens.css."""
    found = []
    for name, value, comment in re.findall(r"(--kk-[a-z-]+):[ \t]*(#[0-9a-fA-F]{6})[ \t]*;[ \t]*(?:/\*[ \t]*(.*?)[ \t]*\*/)?", css):
        found.append((name, value.lower(), comment))
    return found


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(rgb) -> float:
    lum = 0.2126 * _linear(rgb[0]) + 0.7152 * _linear(rgb[1]) + 0.0722 * _linear(rgb[2])
    return 1.05 / (lum + 0.05)


def pct(values) -> str:
    return " ".join(f"{letter}{round(v * 100)}" for letter, v in zip("CMYK", values) if round(v * 100)) or "none (paper)"


def table() -> str:
    config = load_config(REPO)
    profile = config.files.read_bytes(config.edition("print").output_profile, "profile")
    rows = ["| token | screen sRGB | contrast with white | print, areas (CMYK %) | print, fine work (one ink) | use |",
            "|---|---|---|---|---|---|"]
    for name, value, comment in tokens(config.files.read_text("styles/tokens.css", "style")):
        rgb = tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))
        area = rgb_to_cmyk(rgb, profile)
        luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
        rows.append(f"| `{name}` | `{value}` | {contrast_with_white(rgb):.1f} : 1 | {pct(area)} | "
                    f"K{round((1 - luma) * 100)} | {comment} |")
    return "\n".join(rows)


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    updated = text[:start] + "\n" + table() + "\n" + text[end:]
    if "--check" in sys.argv[1:]:
        if updated != text:
            print(f"{DOC.relative_to(REPO)}: palette table out of date; run scripts/palette.py", file=sys.stderr)
            return 1
        return 0
    atomic_write(DOC, updated.encode("utf-8"))
    print(f"{DOC.relative_to(REPO)}: palette table written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
