"""Write docs/commands.md (click's own help of every command) and docs/configuration.md (the key
tables of kkguide/schema.py) from the code: `make docs`. tests/test_reference.py checks them."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kkguide.cli import main  # noqa: E402
from kkguide.reference import commands_markdown, configuration_markdown  # noqa: E402

for name, text in (("commands.md", commands_markdown(main)), ("configuration.md", configuration_markdown())):
    path = REPO / "docs" / name
    changed = not path.is_file() or path.read_text(encoding="utf-8") != text
    path.write_text(text, encoding="utf-8")
    print(f"docs/{name}: {'written' if changed else 'unchanged'}")
