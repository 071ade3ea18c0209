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


@dataclass(frozen=True)
class GuideBuild:
    root: Path          # the copy of the default guide that was built
    dist: Path          # its dist/: every language, the default editions (screen and print)
    output: str         # what kkguide build said of it


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> GuideBuild:
    """The default guide as shipped, built once per test session (every language, default
    editions, one layout per language for screen and print): shared by test_default_guide,
    test_pdfua, test_facts and test_layout. It must build as shipped: a language below its
    coverage or readability policy fails here, with kkguide's message.

    With pytest-xdist (`make test` runs two workers), the first worker that needs it builds it
    into the run's common temp folder and the others wait for it under a file lock: one build
    per run, not one per worker. Tests only read it."""
    from filelock import FileLock

    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "default-guide"
    else:
        shared = tmp_path_factory.mktemp("default")
    root, said, failed = shared / "guide", shared / "build-output.txt", shared / "build-failed.txt"
    with FileLock(str(shared) + ".lock"):
        if not said.exists() and not failed.exists():
            for part in ("guide", "chapters", "translations", "styles"):
                shutil.copytree(REPO / part, root / part, dirs_exist_ok=True)
            result = CliRunner().invoke(main, ["build", "-C", str(root)], catch_exceptions=False)
            (said if result.exit_code == 0 else failed).write_text(result.output, encoding="utf-8")
    assert not failed.exists(), failed.read_text(encoding="utf-8")
    return GuideBuild(root, root / "dist", said.read_text(encoding="utf-8"))


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


SYMFONY_SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")


def xliff_schema(folder: Path) -> Path:
    """The OASIS XLIFF 1.2 strict schema (Debian's php-symfony-translation ships it, installed by
    the test set-up), with its xml.xsd import pointed at the local copy: xmllint needs no network."""
    source = SYMFONY_SCHEMAS / "xliff-core-1.2-strict.xsd"
    assert source.exists(), f"{source} missing: run `make setup-test` (Debian package php-symfony-translation)"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SYMFONY_SCHEMAS / "xml.xsd", folder / "xml.xsd")
    text = source.read_text(encoding="utf-8")
    remote = 'schemaLocation="http://www.w3.org/2001/xml.xsd"'
    assert remote in text
    (folder / source.name).write_text(text.replace(remote, 'schemaLocation="xml.xsd"'), encoding="utf-8")
    return folder / source.name


def venv_tool(name: str) -> str:
    """A command-line tool of a Python package installed with kkguide (translate-toolkit's pocount ...)."""
    import sys

    path = Path(sys.executable).parent / name
    assert path.exists(), f"{path} missing: run `make setup-test`"
    return str(path)


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
