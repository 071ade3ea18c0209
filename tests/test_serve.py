"""kkguide serve: the web edition on 127.0.0.1, rebuilt on save; the reload script only in served
pages, never in the written files; a failed rebuild shown in the page (headless Chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from markupsafe import escape

from badinput import replace
from kkguide.render import CSP
from kkguide.serve import SERVE_CSP, serve


class Running:
    def __init__(self, root: Path, out: Path):
        self.cycles, self.url, self.stop = [], None, threading.Event()
        ready = threading.Event()

        def on_ready(url):
            self.url = url
            ready.set()

        self.thread = threading.Thread(target=serve, daemon=True, kwargs=dict(
            root=root, out=out, on_cycle=self.cycles.append, port=0, interval=0.05, on_ready=on_ready,
            keep_going=lambda: not self.stop.is_set()))
        self.thread.start()
        assert ready.wait(30)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def state(self) -> dict:
        return json.loads(self.get("/__kkguide__/state")[1])

    def wait_for(self, test, seconds: float = 90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.state()
            if test(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"not reached: {self.state()}")


@pytest.fixture
def running(mini, tmp_path):
    server = Running(mini, tmp_path / "web")
    server.wait_for(lambda s: s["generation"])
    yield server
    server.stop.set()
    server.thread.join(30)
    assert not server.thread.is_alive()


def test_a_changed_chapter_is_served_after_the_rebuild(running, mini, tmp_path):
    assert running.url.startswith("http://127.0.0.1:")
    status, page = running.get("/de/index.html")
    assert status == 200 and "Wer hilft?" in page and "Wer hilft sofort?" not in page
    first = running.state()["generation"]
    replace(mini / "chapters/02-notruf.md", "Wer hilft?", "Wer hilft sofort?")
    running.wait_for(lambda s: s["generation"] not in ("", first) and not s["error"])
    status, page = running.get("/de/index.html")
    assert status == 200 and "Wer hilft sofort?" in page
    # the new generation is served as soon as it is published; the cycle is reported just after
    running.wait_for(lambda s: len(running.cycles) >= 2, seconds=30)
    assert len(running.cycles) >= 2 and "chapters/02-notruf.md" in running.cycles[-1].changed


def test_only_served_pages_carry_the_reload_script(running, tmp_path):
    status, page = running.get("/ar/index.html")
    assert status == 200 and '<script src="/__kkguide__/reload.js?g=' in page
    assert f'content="{escape(SERVE_CSP)}"' in page and "script-src" in SERVE_CSP
    written = (tmp_path / "web/ar/index.html").read_text(encoding="utf-8")
    assert "<script" not in written and f'content="{escape(CSP)}"' in written and "script-src" not in written
    assert running.get("/__kkguide__/reload.js")[0] == 200


def test_nothing_but_the_published_files_is_served(running):
    for path in ("/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.kkguide-builds/", "/nothing.html"):
        assert running.get(path)[0] == 404, path


def test_a_broken_save_keeps_the_last_site_and_says_why(running, mini):
    first = running.state()["generation"]
    replace(mini / "chapters/01-anmelden.md", "title: Anmelden", "title: [Anmelden")
    state = running.wait_for(lambda s: s["error"])
    assert state["error"].startswith("chapters/01-anmelden.md:4: invalid YAML") and state["generation"] == first
    assert running.get("/de/index.html")[0] == 200
    replace(mini / "chapters/01-anmelden.md", "title: [Anmelden", "title: Anmelden")
    running.wait_for(lambda s: not s["error"])


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_the_script_runs_in_the_served_page_under_its_policy(running, mini, tmp_path):
    """Chromium enforces the page's Content-Security-Policy: the reload script loads, asks the
    server for its state and shows the failed rebuild in the page."""
    replace(mini / "chapters/01-anmelden.md", "title: Anmelden", "title: [Anmelden")
    running.wait_for(lambda s: s["error"])
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--virtual-time-budget=5000", "--dump-dom", running.url + "de/index.html"],
                         capture_output=True, text=True, timeout=120).stdout
    assert 'id="kkguide-serve-error"' in dom and "not built: chapters/01-anmelden.md:4: invalid YAML" in dom
