#!/usr/bin/env python3
"""Approve the current look: build the screen edition of the visual-test languages and write
their key pages to tests/visual/<lang>-<page>.png. Run after an intended design change, look at
the PNGs (git diff shows which changed), commit them:

    make approve-visuals
"""

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from keypages import LANGS, approved, key_pages, png, render  # noqa: E402
from kkguide.fsio import atomic_write  # noqa: E402
from kkguide.project import load_project  # noqa: E402


def main() -> None:
    ids = [c.id for c in load_project(REPO).chapters]
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "kkguide.cli", "build", "-C", str(REPO), "--out", out, "-e", "screen"]
        subprocess.run(args + [a for lang in LANGS for a in ("--lang", lang)], check=True)
        for lang in LANGS:
            pdf = Path(out) / lang / f"kreis-kleve-welcome-guide-{lang}-screen.pdf"
            if not pdf.is_file():
                print(f"{lang}: not built (below min_coverage): its approved renders are left as they are")
                continue
            data = pdf.read_bytes()
            for name, number in key_pages(data, ids.index("emergency")).items():
                atomic_write(approved(lang, name), png(render(data, number)))
                print(f"{approved(lang, name).relative_to(REPO)}: page {number}")


if __name__ == "__main__":
    main()
