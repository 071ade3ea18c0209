"""`kkguide serve`: the web edition on 127.0.0.1, rebuilt on every save, with browser reload.

It builds the web edition exactly as `kkguide web` does (``kkguide.web.make_web``, published as
one generation into the output folder), watches the sources with the same engine as `kkguide
watch` (``kkguide.watch.snapshot``/``wait_for_change``: polling, a save settles first) and
rebuilds after each change. A broken save is reported and the last good site stays served.

The files written are the published web edition, byte for byte: no script, and a
Content-Security-Policy that forbids scripts. Only the pages this server sends differ: it adds
one script of its own (``/__kkguide__/reload.js``, served from here) and allows that script in
the page's policy (``script-src 'self'; connect-src 'self'``). The script asks
``/__kkguide__/state`` for the published generation and reloads the page when a rebuild has
published a new one, and shows a failed rebuild's message on the page.

The server listens on 127.0.0.1 only and serves nothing but the current generation's files.
"""

from __future__ import annotations

import http.server
import json
import mimetypes
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from .errors import KkguideError
from .publish import current
from .render import CSP
from .watch import snapshot, wait_for_change

HOST = "127.0.0.1"
PREFIX = "/__kkguide__/"
SERVE_CSP = CSP + "; script-src 'self'; connect-src 'self'"
RELOAD_JS = """// kkguide serve only (never in the published web edition): reload this page when a rebuild
// has published a new generation; show a failed rebuild's message.
(function () {
  var seen = new URL(document.currentScript.src).searchParams.get("g");
  function look() {
    fetch("/__kkguide__/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.generation && s.generation !== seen) { location.reload(); return; }
      var box = document.getElementById("kkguide-serve-error");
      if (s.error) {
        if (!box) {
          box = document.createElement("pre");
          box.id = "kkguide-serve-error";
          box.setAttribute("role", "alert");
          box.setAttribute("lang", "en");
          box.setAttribute("dir", "ltr");
          box.style.cssText = "background:#fff3f3;color:#8a1010;border:2px solid #8a1010;padding:0.5rem;white-space:pre-wrap";
          document.body.insertBefore(box, document.body.firstChild);
        }
        box.textContent = "not built: " + s.error;
      } else if (box) {
        box.remove();
      }
    }).catch(function () {}).then(function () { setTimeout(look, 500); });
  }
  look();
})();
"""


@dataclass(frozen=True)
class ServeCycle:
    """One build of the site: what triggered it and how it went."""

    changed: tuple[str, ...]
    languages: tuple[str, ...]
    skipped: tuple[str, ...]
    seconds: float
    error: KkguideError | None = None


class State:
    """What the server shows: the output folder, and the last rebuild's error (if it failed)."""

    def __init__(self, out: Path):
        self.out = out
        self.error = ""
        self.lock = threading.Lock()

    def generation(self) -> str:
        base = current(self.out)
        return base.name if base is not None else ""


def page_for_serve(html: str, generation: str) -> str:
    """A published page as this server sends it: the reload script added, and allowed by its policy."""
    meta = Markup('<meta http-equiv="Content-Security-Policy" content="{}">')
    published, served = meta.format(CSP), meta.format(SERVE_CSP)   # as the autoescaped templates write it
    if html.count(published) != 1 or html.count("</head>") != 1:
        return html   # not one of kkguide's pages: sent as it is
    script = Markup('<script src="{}reload.js?g={}" defer></script>\n</head>').format(PREFIX, generation)
    return html.replace(published, served).replace("</head>", script)


def _handler(state: State):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "kkguide-serve"

        def log_message(self, format, *args):  # noqa: A002 - the caller reports rebuilds, not requests
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            path = unquote(urlsplit(self.path).path)
            if path == PREFIX + "reload.js":
                return self._send(200, RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            if path == PREFIX + "state":
                with state.lock:
                    body = json.dumps({"generation": state.generation(), "error": state.error})
                return self._send(200, body.encode(), "application/json")
            base = current(state.out)
            if base is None:
                with state.lock:
                    message = f"not built yet: {state.error or 'the first build is running'}\n"
                return self._send(503, message.encode(), "text/plain; charset=utf-8")
            parts = PurePosixPath(path).parts[1:]
            if ".." in parts or any(p.startswith(".") for p in parts):
                return self._send(404, b"not found\n", "text/plain")
            target = base.joinpath(*parts)
            if target.is_dir():
                target = target / "index.html"
            real = target.resolve()
            if base.resolve() not in real.parents or not real.is_file():
                return self._send(404, b"not found\n", "text/plain")
            data = real.read_bytes()   # a published file of this server's own output, not a source
            kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
            if kind == "text/html":
                data = page_for_serve(data.decode("utf-8"), base.name).encode("utf-8")
                kind = "text/html; charset=utf-8"
            elif kind.startswith("text/"):
                kind += "; charset=utf-8"
            return self._send(200, data, kind)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def start_server(out: Path, port: int) -> tuple[http.server.ThreadingHTTPServer, State]:
    state = State(out)
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), _handler(state))
    except OSError as exc:
        raise KkguideError(f"cannot listen on {HOST}:{port}: {exc.strerror} (another port: --port N)") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="kkguide-serve", daemon=True).start()
    return server, state


def serve(root: Path, out: Path, on_cycle: Callable[[ServeCycle], None], port: int = 8000,
          languages: tuple[str, ...] = (), interval: float = 0.1, on_ready: Callable[[str], None] = lambda url: None,
          keep_going: Callable[[], bool] = lambda: True) -> None:
    """Build, serve on 127.0.0.1:``port`` (0: any free port), rebuild after every settled change
    until ``keep_going()`` is false."""
    from .web import make_web

    server, state = start_server(out, port)
    try:
        on_ready(f"http://{HOST}:{server.server_port}/")
        seen = snapshot(root)
        changed: tuple[str, ...] = ()
        while True:
            start = time.perf_counter()
            try:
                site = make_web(root, out, languages)
                cycle = ServeCycle(changed, site.languages, site.skipped, time.perf_counter() - start)
                error = ""
            except KkguideError as exc:
                cycle = ServeCycle(changed, (), (), time.perf_counter() - start, exc)
                error = exc.format_message()
            with state.lock:
                state.error = error
            on_cycle(cycle)
            changed, seen = wait_for_change(root, seen, interval, keep_going)
            if not changed:
                return
    finally:
        server.shutdown()
        server.server_close()
