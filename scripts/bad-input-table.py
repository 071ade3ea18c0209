"""Write docs/bad-input.md: every bad input of tests/badinput.py and the exact line the user sees.

    .venv/bin/python scripts/bad-input-table.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO)]

from badinput import CASES  # noqa: E402
from conftest import make_project  # noqa: E402
from kkguide.cli import main  # noqa: E402


def main_() -> None:
    rows = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_project(Path(tmp) / "mini")
            case.change(root)
            args = case.command(root)
            result = CliRunner().invoke(main, ["-C", str(root), *args, *(["--jobs", "1"] if args[0] == "build" else [])])
            # paths of the temporary project shown as PROJECT, places outside it as OUTSIDE
            line = (result.stderr.strip().replace(str(root.resolve()), "PROJECT").replace(str(root), "PROJECT")
                    .replace(str(Path(tmp).resolve()), "OUTSIDE").replace("|", "\\|"))
            written = (root / "dist").exists()
            command = " ".join(["kkguide", *case.command("PROJECT")])
            rows.append(f"| {case.name} | `{command}` | {result.exit_code} | `{line}` | {'yes' if written else 'no'} |")
    text = "\n".join([
        "# Bad input: what the user sees",
        "",
        "Made by `scripts/bad-input-table.py` from the cases in `tests/badinput.py`, each applied to the",
        "fixture guide `tests/fixtures/mini` and built; `tests/test_errors.py` checks the same lines.",
        "Every case ends with one line naming file and line, exit status 1, and nothing written to `dist/`.",
        "",
        "| bad input | command | exit | the one line shown | dist/ written |",
        "|---|---|---|---|---|",
        *rows, ""])
    (REPO / "docs/bad-input.md").write_text(text, encoding="utf-8")
    print(f"docs/bad-input.md: {len(rows)} cases")


if __name__ == "__main__":
    main_()
