"""kkguide linkcheck against a local HTTPS server on 127.0.0.1 only: no test opens a connection to
any other host or asks a DNS server anything (name lookups go to stubs)."""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import threading
import time

import pytest

from kkguide.config import load_facts
from kkguide.files import ProjectFiles
from kkguide.linkcheck import Checker, Target, linkcheck, targets

FACTS = "guide/contacts.yml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """HTTPS on 127.0.0.1 with a self-signed certificate made by openssl for this run."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    seen: list[tuple[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            seen.append((self.command, self.path))
            if self.path == "/ok":
                self.send_response(200)
            elif self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "/ok")
            elif self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
            elif self.path == "/no-head":
                self.send_response(405 if self.command == "HEAD" else 200)
            elif self.path == "/broken":
                self.send_response(500)
            elif self.path == "/slow":
                time.sleep(1.5)
                self.send_response(200)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET = _answer  # noqa: N815

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_port}", cert, seen
    httpd.shutdown()
    httpd.server_close()


def no_dns(host: str) -> None:
    if host != "127.0.0.1":
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def _checker(cert, timeout=5.0, mx=lambda d: "MX mail.example.test") -> Checker:
    return Checker(timeout=timeout, context=ssl.create_default_context(cafile=str(cert)), resolve=no_dns,
                   resolve_mx=mx)


@pytest.mark.parametrize("path, ok, message, redirects", [
    ("/ok", True, "HTTP 200", ()),
    ("/moved", True, "HTTP 200 at {base}/ok", ("301 -> {base}/ok",)),
    ("/no-head", True, "HTTP 200", ()),
    ("/missing", False, "{base}/missing: HTTP 404", ()),
    ("/broken", False, "{base}/broken: HTTP 500", ()),
    ("/loop", False, "more than 5 redirects", ("302 -> {base}/loop",) * 6),
])
def test_answers_redirects_and_errors(server, path, ok, message, redirects):
    base, cert, seen = server
    finding = _checker(cert).check(Target("x.url", "url", base + path, 7))
    assert finding.ok is ok
    assert finding.message == message.format(base=base)
    assert finding.redirects == tuple(r.format(base=base) for r in redirects)
    assert finding.line().startswith(f"{FACTS}:7: x.url: ")


def test_head_refused_falls_back_to_get(server):
    base, cert, seen = server
    seen.clear()
    _checker(cert).check(Target("x.url", "url", base + "/no-head", 1))
    assert seen == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_timeout_dns_and_untrusted_certificates(server):
    base, cert, _ = server
    slow = _checker(cert, timeout=0.3).check(Target("x.url", "url", base + "/slow", 3))
    assert not slow.ok and slow.message == f"{base}/slow: timeout after 0.3 s"
    dns = _checker(cert).check(Target("x.url", "url", "https://www.does-not-exist.invalid/", 4))
    assert not dns.ok and dns.message.startswith("https://www.does-not-exist.invalid/: DNS: www.does-not-exist.invalid does not resolve")
    untrusted = Checker(timeout=5, resolve=no_dns).check(Target("x.url", "url", base + "/ok", 5))
    assert not untrusted.ok and "TLS: " in untrusted.message and "CERTIFICATE_VERIFY_FAILED" in untrusted.message


def test_mail_domains(server):
    _, cert, _ = server

    def mx(domain):
        if domain == "kreis-kleve.de":
            return "MX mx.kreis-kleve.de"
        raise LookupError("DNS: the domain does not exist")

    good = _checker(cert, mx=mx).check(Target("kreis.email", "email", "kreis-kleve.de", 5))
    bad = _checker(cert, mx=mx).check(Target("x.email", "email", "nowhere.test", 6))
    assert good.ok and good.message == "mail domain kreis-kleve.de: MX mx.kreis-kleve.de"
    assert not bad.ok and bad.line() == f"{FACTS}:6: x.email: mail domain nowhere.test: DNS: the domain does not exist"


def test_every_url_and_mail_domain_of_the_facts_with_its_line(mini, server):
    base, cert, _ = server
    facts = mini / FACTS
    facts.write_text(facts.read_text().replace("https://www.kreis-kleve.de", base + "/missing"))
    found = targets(load_facts(ProjectFiles.at(mini)))
    assert [(t.ref, t.kind, t.line) for t in found] == [("kreis.email", "email", 5), ("kreis.url", "url", 6)]
    findings = linkcheck(load_facts(ProjectFiles.at(mini)), _checker(cert))
    assert [f.line() for f in findings] == [
        f"{FACTS}:5: kreis.email: mail domain kreis-kleve.de: MX mail.example.test",
        f"{FACTS}:6: kreis.url: {base}/missing: HTTP 404"]


def test_cli_reports_and_fails(mini, server, cli):
    base, cert, _ = server
    facts = mini / FACTS
    # no e-mail: the command's own resolver would ask DNS about the domain
    facts.write_text(facts.read_text().replace("https://www.kreis-kleve.de", base + "/moved")
                     .replace("  email: info@kreis-kleve.de\n", ""))
    result = cli(mini, "linkcheck", "--cafile", str(cert), "--timeout", "5")
    assert result.exit_code == 0, result.output
    assert f"ok    {FACTS}:5: kreis.url: HTTP 200 at {base}/ok; redirect 301 -> {base}/ok" in result.output
    assert "1 checked: 1 ok, 0 failed, 1 redirected" in result.output
    facts.write_text(facts.read_text().replace(base + "/moved", base + "/broken"))
    result = cli(mini, "linkcheck", "--cafile", str(cert))
    assert result.exit_code == 1
    assert f"FAIL  {FACTS}:5: kreis.url: {base}/broken: HTTP 500" in result.output
    assert result.output.strip().endswith("1 link(s) failed (listed above)")
