"""Web edition in headless Chromium: phone and desktop widths, no horizontal scroll, right-to-left
pages mirrored, links between languages work. A local server on 127.0.0.1 serves the pages."""

from __future__ import annotations

import functools
import http.server
import json
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
