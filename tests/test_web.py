"""Web edition in headless Chromium: phone and desktop widths, no horizontal scroll, right-to-left
pages mirrored, links between languages work; axe-core finds no violation and the Nu HTML checker
no error on any page. A local server on 127.0.0.1 serves the pages.

axe-core, playwright-core and vnu-jar come from tests/web (package-lock.json; `make setup-test`
runs `npm ci` there); playwright-core drives Debian's chromium, the Nu checker runs on java."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkguide.cli import main
from kkguide.config import load_config
from conftest import REPO

CHROMIUM = shutil.which("chromium")
NODE, JAVA = shutil.which("node"), shutil.which("java")
WEB_TOOLS = REPO / "tests" / "web"
VNU_JAR = WEB_TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>pending</title></head><body>
<iframe id="f" style="border:0" width="WIDTH" height="800" src="PAGE"></iframe>
<script>
const frame = document.getElementById('f');
frame.onload = async () => {
  const doc = frame.contentDocument, root = doc.documentElement;
  const h1 = doc.querySelector('h1'), main = doc.querySelector('main');
  const links = [...doc.querySelectorAll('.language-switcher a')].map(a => a.href);
  const status = await Promise.all(links.map(u => fetch(u).then(r => r.status)));
  const range = doc.createRange(); range.selectNodeContents(h1);
  const r = range.getBoundingClientRect(), m = main.getBoundingClientRect();
  const result = {dir: doc.defaultView.getComputedStyle(doc.body).direction, lang: root.lang,
    overflow: root.scrollWidth - root.clientWidth, links: links.length, status: status,
    h1_left: Math.round(r.left - m.left), h1_right: Math.round(m.right - r.right),
    text_align_start: doc.defaultView.getComputedStyle(doc.querySelector('main p')).textAlign};
  document.title = 'RESULT' + JSON.stringify(result);
};
</script></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("web")
    result = CliRunner().invoke(main, ["web", "-C", str(REPO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _chromium(tmp: Path, *args: str) -> str:
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=90)
    return proc.stdout


def _measure(site, tmp: Path, page: str, width: int) -> dict:
    out, url = site
    (out / "harness.html").write_text(HARNESS.replace("WIDTH", str(width)).replace("PAGE", page), encoding="utf-8")
    dom = _chromium(tmp, "--virtual-time-budget=10000", "--dump-dom", f"{url}/harness.html")
    start = dom.index("RESULT") + len("RESULT")
    return json.loads(dom[start:dom.index("</title>", start)].replace("&amp;", "&").replace("&quot;", '"'))


pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")


@pytest.mark.parametrize("lang, direction", [("de", "ltr"), ("ar", "rtl"), ("fa", "rtl"), ("uk", "ltr")])
@pytest.mark.parametrize("width", [390, 1280])
def test_page_fits_and_is_mirrored(site, tmp_path, lang, direction, width):
    got = _measure(site, tmp_path, f"{lang}/index.html", width)
    assert got["lang"] == lang and got["dir"] == direction
    assert got["overflow"] <= 0, f"horizontal scroll of {got['overflow']} px at {width} px"
    assert got["links"] == len(load_config(REPO).languages) and set(got["status"]) == {200}
    if direction == "rtl":  # the heading's text starts at the right edge
        assert got["h1_right"] <= 2 < got["h1_left"]
    else:
        assert got["h1_left"] <= 2 < got["h1_right"]


def test_screenshots_at_phone_and_desktop_width(site, tmp_path):
    out, url = site
    for lang in ("ar", "de"):
        for name, size in (("phone", "390,844"), ("desktop", "1280,900")):
            shot = tmp_path / f"{lang}-{name}.png"
            _chromium(tmp_path, f"--window-size={size}", f"--screenshot={shot}", f"{url}/{lang}/index.html")
            assert shot.is_file() and shot.stat().st_size > 10_000, shot


# --- axe-core and the Nu HTML checker over every page ---------------------------------------

def _pages(out: Path) -> list[str]:
    """Every page of the site: the language list and one page per language of the guide."""
    return ["index.html", *(f"{lang.code}/index.html" for lang in load_config(REPO).languages)]


def _axe(url: str, pages: list[str]) -> dict[str, list[dict]]:
    """axe-core's violations per page (tests/web/axe.mjs: one Chromium for all pages)."""
    if NODE is None:
        pytest.skip("node not installed (make test installs nodejs; axe-core runs in it)")
    assert (WEB_TOOLS / "node_modules" / "axe-core").is_dir(), \
        "tests/web/node_modules missing: run `make setup-test` (npm ci --prefix tests/web)"
    proc = subprocess.run([NODE, str(WEB_TOOLS / "axe.mjs"), url, *pages], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM or ""})
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert sorted(found) == sorted(pages), "axe-core did not report every page"
    return found


def _nu(folder: Path, pages: list[str]) -> list[dict]:
    """The Nu HTML checker's errors in ``pages`` (one java run for all of them)."""
    if JAVA is None:
        pytest.skip("java not installed (make test installs default-jre-headless; the Nu HTML checker runs on it)")
    assert VNU_JAR.is_file(), f"{VNU_JAR} missing: run `make setup-test` (npm ci --prefix tests/web)"
    proc = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *pages],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stderr or proc.stdout)  # vnu writes its report on stderr
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    assert (proc.returncode != 0) == bool(errors), proc.stderr
    return errors


def _summary(found: dict[str, list[dict]]) -> str:
    return "\n".join(f"{page}: {v['id']} ({v['impact']}) {v['help']}: {', '.join(v['nodes'][:3])}"
                     for page, violations in found.items() for v in violations)


def test_axe_finds_no_violation_on_any_page(site):
    out, url = site
    pages = _pages(out)
    assert len(pages) == 1 + len(load_config(REPO).languages) and all((out / p).is_file() for p in pages)
    found = _axe(url, pages)
    assert not any(found.values()), _summary(found)


def test_axe_sees_a_violation(site):
    """The runner can fail: an image without alternative text and a page without a language."""
    out, url = site
    (out / "broken-axe.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body><main>'
        '<img src="guide/images/willkommen.svg"></main></body></html>', encoding="utf-8")
    found = _axe(url, ["broken-axe.html", "index.html"])
    assert {"image-alt", "html-has-lang"} <= {v["id"] for v in found["broken-axe.html"]}, found
    assert found["index.html"] == []


def test_nu_checker_finds_no_error_on_any_page(site):
    out, _ = site
    errors = _nu(out, _pages(out))
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e['message']}" for e in errors)


def test_nu_checker_sees_errors(tmp_path):
    """The checker can fail: a duplicate id and a stray end tag are errors, a clean page is not."""
    (tmp_path / "broken.html").write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>x</title></head><body>'
        '<p id="a">eins</p><p id="a">zwei</p></div></body></html>', encoding="utf-8")
    (tmp_path / "clean.html").write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>x</title></head><body>'
        '<p id="a">eins</p></body></html>', encoding="utf-8")
    errors = _nu(tmp_path, ["broken.html", "clean.html"])
    said = " ".join(e["message"] for e in errors)
    assert "Duplicate ID" in said and "Stray end tag" in said, said
    assert all(e["url"].endswith("broken.html") for e in errors)
