"""``kkguide linkcheck``: every URL and e-mail domain of guide/contacts.yml, checked over the
network, only when a person runs this command (never in a build, never in the tests' network).

Per URL: HEAD, then GET when the server refuses HEAD (405, 501) or answers it with an error;
redirects are followed (at most ``MAX_REDIRECTS``) and each one is reported; 4xx/5xx answers,
timeouts, TLS, connection and DNS failures are findings. Per e-mail domain: an MX record, or an
address record for a domain without MX (RFC 5321, 5.1), looked up with dnspython. Every finding
names the fact's contacts.yml line.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import urljoin, urlsplit

from .config import FACTS_FILE, Facts

MAX_REDIRECTS = 5
USER_AGENT = "kkguide-linkcheck (Kreis Kleve Welcome Guide; checks the guide's own links)"


@dataclass(frozen=True)
class Target:
    ref: str       # "bamf.url" or "abh.email"
    kind: str      # "url" or "email"
    value: str     # the URL, or the e-mail domain
    line: int      # contacts.yml line of the value


@dataclass(frozen=True)
class Finding:
    target: Target
    ok: bool
    message: str
    redirects: tuple[str, ...] = field(default=())   # "301 -> https://..." for each hop

    def line(self) -> str:
        hops = "".join(f"; redirect {hop}" for hop in self.redirects)
        return f"{FACTS_FILE}:{self.target.line}: {self.target.ref}: {self.message}{hops}"


def targets(facts: Facts) -> tuple[Target, ...]:
    """Every URL of the facts, and every e-mail domain once (at its first address)."""
    found, domains = [], set()
    for fact in facts.entries.values():
        if fact.kind == "url":
            found.append(Target(fact.ref, "url", fact.value, fact.line))
        elif fact.kind == "email":
            domain = fact.value.rsplit("@", 1)[1].lower()
            if domain not in domains:
                domains.add(domain)
                found.append(Target(fact.ref, "email", domain, fact.line))
    return tuple(found)


Resolver = Callable[[str], None]          # raises OSError (socket.gaierror) when a name does not resolve
MailResolver = Callable[[str], str]       # "MX mail.example.org" or raises LookupError


def resolve_host(host: str) -> None:
    try:
        ipaddress.ip_address(host)
        return                              # a literal address needs no DNS
    except ValueError:
        pass
    socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)


def resolve_mail(domain: str) -> str:
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(domain, "MX", lifetime=10)
        return "MX " + ", ".join(sorted(str(r.exchange).rstrip(".") for r in answer))
    except dns.resolver.NoAnswer:
        pass                                # no MX: mail goes to the domain's own address (RFC 5321)
    except dns.resolver.NXDOMAIN:
        raise LookupError("DNS: the domain does not exist") from None
    except dns.exception.DNSException as exc:
        raise LookupError(f"DNS: {exc}") from None
    for rtype in ("A", "AAAA"):
        try:
            dns.resolver.resolve(domain, rtype, lifetime=10)
            return f"no MX, {rtype} record"
        except dns.exception.DNSException:
            continue
    raise LookupError("DNS: no MX and no address record")


@dataclass(frozen=True)
class Checker:
    timeout: float = 10.0
    context: ssl.SSLContext | None = None       # default: the system's trusted certificates
    resolve: Resolver = resolve_host
    resolve_mx: MailResolver = resolve_mail

    def check(self, target: Target) -> Finding:
        if target.kind == "email":
            try:
                return Finding(target, True, f"mail domain {target.value}: {self.resolve_mx(target.value)}")
            except LookupError as exc:
                return Finding(target, False, f"mail domain {target.value}: {exc}")
        return self._check_url(target)

    def _check_url(self, target: Target) -> Finding:
        url, hops = target.value, []
        for _ in range(MAX_REDIRECTS + 1):
            status, location, problem = self._fetch(url, "HEAD")
            if problem is None and (status in (405, 501) or status >= 400):
                status, location, problem = self._fetch(url, "GET")   # some servers refuse HEAD
            if problem is not None:
                return Finding(target, False, f"{url}: {problem}", tuple(hops))
            if status in (301, 302, 303, 307, 308) and location:
                nxt = urljoin(url, location)
                hops.append(f"{status} -> {nxt}")
                if urlsplit(nxt).scheme != "https":
                    return Finding(target, False, f"{url}: redirected to a page that is not https", tuple(hops))
                url = nxt
                continue
            if status >= 400:
                return Finding(target, False, f"{url}: HTTP {status}", tuple(hops))
            return Finding(target, True, f"HTTP {status}" + (f" at {url}" if hops else ""), tuple(hops))
        return Finding(target, False, f"more than {MAX_REDIRECTS} redirects", tuple(hops))

    def _fetch(self, url: str, method: str) -> tuple[int, str, str | None]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            self.resolve(host)
        except OSError as exc:
            return 0, "", f"DNS: {host} does not resolve ({exc.strerror or exc})"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPSConnection(host, parts.port or 443, timeout=self.timeout,
                                                 context=self.context or ssl.create_default_context())
        try:
            connection.request(method, path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            return response.status, response.getheader("Location", ""), None
        except (socket.timeout, TimeoutError):
            return 0, "", f"timeout after {self.timeout:g} s"
        except ssl.SSLError as exc:
            return 0, "", f"TLS: {exc.reason or exc}"
        except (OSError, http.client.HTTPException) as exc:
            return 0, "", f"connection failed: {exc}"
        finally:
            connection.close()


def linkcheck(facts: Facts, checker: Checker, done: Callable[[Finding], None] = lambda f: None) -> tuple[Finding, ...]:
    findings = []
    for target in targets(facts):
        finding = checker.check(target)
        done(finding)
        findings.append(finding)
    return tuple(findings)


def summary(findings: Sequence[Finding]) -> str:
    bad = sum(not f.ok for f in findings)
    moved = sum(bool(f.redirects) for f in findings)
    return f"{len(findings)} checked: {len(findings) - bad} ok, {bad} failed, {moved} redirected"
