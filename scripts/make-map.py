#!/usr/bin/env python3
"""Draw guide/images/kreis-kleve-karte.svg from guide/map/kreis-kleve.yml (run after editing it).

    .venv/bin/python scripts/make-map.py [PROJECT]

Colours are the map tokens of styles/tokens.css (--kk-map-*, --kk-ink, --kk-sun). The SVG holds
the geometry only; the template sets the labels over it in the reader's script. A build never
runs this: it reads the committed SVG. tests/test_map.py checks that the SVG is up to date.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kkguide.files import ProjectFiles  # noqa: E402
from kkguide.fsio import atomic_write  # noqa: E402
from kkguide.geomap import MAP_IMAGE, load_map, map_svg  # noqa: E402

TOKENS = {"land": "--kk-map-land", "nl": "--kk-map-nl", "water": "--kk-map-water", "border": "--kk-map-border",
          "town": "--kk-map-town", "ink": "--kk-ink", "accent": "--kk-sun"}


def colours(css: str) -> dict[str, str]:
    found = dict(re.findall(r"(--kk-[a-z-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", css))
    return {key: found[token] for key, token in TOKENS.items()}


def drawing(root: Path) -> str:
    files = ProjectFiles.at(root)
    kreis = load_map(files)
    if kreis is None:
        raise SystemExit(f"no map data in {root}")
    return map_svg(kreis, colours(files.read_text("styles/tokens.css", "style")))


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    atomic_write(root / MAP_IMAGE, drawing(root).encode("utf-8"))
    print(f"{root / MAP_IMAGE}")
