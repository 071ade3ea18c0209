"""Shared fixtures: small projects copied into a temp folder, with the real styles/."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkguide.cli import main

# Facts are judged as of the build day (kkguide.config.build_day): the tests pin it, here and in every
# kkguide they start, with the reproducible-builds variable, so a fact's staleness or valid_until does
# not depend on the day the suite runs. 2026-12-15: after the default guide's verifications
# (2026-12-02), before its amounts for 2026 expire. Tests of other days set it themselves.
PINNED_DAY = "2026-12-15"
os.environ["SOURCE_DATE_EPOCH"] = "1797292800"   # 2026-12-15T00:00:00Z

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def guide_copy(dest: Path) -> Path:
    """A copy of the default guide that builds every language whatever its state: guide.yml's
    min_coverage and min_readability policies set to nothing (translation and the easy-German
    rewrite are work in progress; the PDFs' other tests must still run on every language)."""
    import re

    for part in ("guide", "chapters", "translations", "styles"):
        shutil.copytree(REPO / part, dest / part)
    guide = dest / "guide/guide.yml"
    text, n = re.subn(r"(?m)^min_coverage:[^\n]*\n(?:[ \t]+[^\n]*\n)*", "min_coverage:\n  default: 0\n",
                      guide.read_text(encoding="utf-8"))
    text, m = re.subn(r"(?m)^min_readability:[^\n]*\n(?:[ \t]+[^\n]*\n)*", "", text)
    assert n == 1, "guide.yml has no min_coverage block to override"
    guide.write_text(text, encoding="utf-8")
    return dest


@dataclass(frozen=True)
class GuideBuild:
    root: Path          # the copy (guide_copy)
    dist: Path          # its screen edition, every language
    output: str         # what kkguide build said of it
    print_dist: Path    # its print edition, every language (a separate build: see print_output)
    print_output: str   # what that build said; print_ok False when it refused (then no print PDF)
    print_ok: bool


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> GuideBuild:
    """The default guide built once per session, every language, for every test that needs its
    PDFs (test_default_guide, test_pdfua, test_facts). The screen edition must build; the print
    edition is a second build whose refusal (preflight) fails only the print tests, with its
    message, so that one language's print problem does not hide every screen test."""
    root = guide_copy(tmp_path_factory.mktemp("guide") / "copy")
    runner = CliRunner()
    screen = runner.invoke(main, ["build", "-C", str(root), "--edition", "screen"], catch_exceptions=False)
    assert screen.exit_code == 0, screen.output
    printed = runner.invoke(main, ["build", "-C", str(root), "--edition", "print", "--out", str(root / "dist-print")],
                            catch_exceptions=False)
    return GuideBuild(root, root / "dist", screen.output, root / "dist-print", printed.output, printed.exit_code == 0)


def make_project(dest: Path, fixture: str = "mini") -> Path:
    shutil.copytree(FIXTURES / fixture, dest)
    shutil.copytree(REPO / "styles", dest / "styles")
    return dest


def make_printable(root: Path) -> Path:
    """Give a fixture project the print edition (PDF/X-4, FOGRA39, 3 mm bleed)."""
    (root / "styles/icc").mkdir(exist_ok=True)
    shutil.copy(REPO / "styles/icc/FOGRA39-kkguide.icc", root / "styles/icc/")
    guide = root / "guide/guide.yml"
    guide.write_text(guide.read_text().replace(
        "editions:\n", "editions:\n  print:\n    page_size: A5\n    bleed_mm: 3\n"
        "    output_profile: styles/icc/FOGRA39-kkguide.icc\n    output_condition: FOGRA39\n"
        "  office-booklet:\n    page_size: A5\n"))
    return root


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A two-chapter guide in German and (partly translated) Arabic."""
    return make_project(tmp_path / "mini")


class Cli:
    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, root: Path, *args: str):
        depth = 2 if args[0] == "translate" else 1  # -C belongs to the (sub)command
        return self.runner.invoke(main, [*args[:depth], "-C", str(root), *args[depth:]], catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def tool(*args: str) -> str:
    """Run a real command-line tool and return its standard output (fails the test on error)."""
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stderr}"
    return proc.stdout


@dataclass
class Recorder:
    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def recorder():
    """A local HTTP server on 127.0.0.1 (loopback only) that records every request it gets."""
    found = Recorder("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            found.hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found.url = f"http://127.0.0.1:{server.server_port}"
    yield found
    server.shutdown()
    server.server_close()
