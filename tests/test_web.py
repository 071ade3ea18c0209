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
import urllib.request
from html.parser import HTMLParser
from dataclasses import dataclass
from pathlib import Path

import polib
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


PDF_LANGS = ("de", "ar")   # the site fixture's build: these languages' PDFs, both directions


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The default guide's web edition, with the PDFs of a build of de and ar (screen and print)
    in its dist/: those two pages link PDFs, the others have none."""
    root = tmp_path_factory.mktemp("guide")
    for part in ("guide", "chapters", "translations", "styles"):
        shutil.copytree(REPO / part, root / part)
    built = CliRunner().invoke(main, ["build", "-C", str(root), *(a for code in PDF_LANGS for a in ("-l", code)),
                                      "-e", "screen", "-e", "print"])
    assert built.exit_code == 0, built.output
    out = tmp_path_factory.mktemp("web")
    result = CliRunner().invoke(main, ["web", "-C", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f", {2 * len(PDF_LANGS)} PDF(s)" in result.output, result.output
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = Site(out, f"http://127.0.0.1:{server.server_port}", root)
    yield site
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Site:
    out: Path     # the published site
    url: str      # where the test server serves it
    root: Path    # the built copy of the default guide (its dist/ holds the PDFs)


def _chromium(tmp: Path, *args: str) -> str:
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=90)
    return proc.stdout


def _measure(site, tmp: Path, page: str, width: int) -> dict:
    out, url = site.out, site.url
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
    out, url = site.out, site.url
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
    out, url = site.out, site.url
    pages = _pages(out)
    assert len(pages) == 1 + len(load_config(REPO).languages) and all((out / p).is_file() for p in pages)
    found = _axe(url, pages)
    assert not any(found.values()), _summary(found)


def test_axe_sees_a_violation(site):
    """The runner can fail: an image without alternative text and a page without a language."""
    out, url = site.out, site.url
    (out / "broken-axe.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body><main>'
        '<img src="guide/images/willkommen.svg"></main></body></html>', encoding="utf-8")
    found = _axe(url, ["broken-axe.html", "index.html"])
    assert {"image-alt", "html-has-lang"} <= {v["id"] for v in found["broken-axe.html"]}, found
    assert found["index.html"] == []


def test_nu_checker_finds_no_error_on_any_page(site):
    out = site.out
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


# --- what each page says of itself: alternates, description, image sizes, PDFs --------------

class _Page(HTMLParser):
    """The tags of one page: (tag, attributes) in document order."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


def _parsed(out: Path, page: str) -> _Page:
    return _Page((out / page).read_text(encoding="utf-8"))


def test_alternates_are_absolute_with_web_url_and_each_page_is_described(site):
    config = load_config(REPO)
    assert config.web_url == "https://www.kreis-kleve.de/wegweiser"
    codes = [lang.code for lang in config.languages]
    expected = {**{c: f"{config.web_url}/{c}/index.html" for c in codes}, "x-default": f"{config.web_url}/index.html"}
    catalogs = {c: polib.pofile(str(REPO / f"translations/{c}/LC_MESSAGES/guide.po")) for c in codes if c != "de"}
    for page in _pages(site.out):
        parsed = _parsed(site.out, page)
        alternates = {a["hreflang"]: a["href"] for a in parsed.all("link", rel="alternate")}
        assert alternates == expected, page
        own = f"{config.web_url}/{page}"
        assert [a["href"] for a in parsed.all("link", rel="canonical")] == [own]
        [meta] = parsed.all("meta", name="description")
        code = page.split("/")[0] if "/" in page else "de"
        want = config.subtitle if code == "de" else catalogs[code].find(config.subtitle).msgstr
        assert meta["content"] == want and want, page  # in the page's language (the index: German)


def test_without_web_url_the_alternates_stay_relative(mini, tmp_path, cli):
    guide = mini / "guide/guide.yml"
    assert "web_url" not in guide.read_text(encoding="utf-8")
    out = tmp_path / "site"
    assert cli(mini, "web", "--out", str(out)).exit_code == 0
    for page, prefix in (("index.html", ""), ("de/index.html", "../"), ("ar/index.html", "../")):
        parsed = _parsed(out, page)
        alternates = {a["hreflang"]: a["href"] for a in parsed.all("link", rel="alternate")}
        assert alternates == {"de": f"{prefix}de/index.html", "ar": f"{prefix}ar/index.html",
                              "x-default": f"{prefix}index.html"}, page
        assert parsed.all("link", rel="canonical") == []
        text = (out / page).read_text(encoding="utf-8")
        assert "https://" not in text.split("</head>")[0] and ".pdf" not in text  # no build: no PDF link


def test_every_image_carries_its_size(site):
    from kkguide.images import image_size

    seen = 0
    for page in _pages(site.out):
        for img in _parsed(site.out, page).all("img"):
            target = (site.out / page).parent / img["src"]
            assert target.is_file(), (page, img["src"])
            assert (int(img["width"]), int(img["height"])) == image_size(target.name, target.read_bytes()), page
            seen += 1
    assert seen >= len(load_config(REPO).languages)  # willkommen.svg on every language's page
    css = (site.out / "styles/web.css").read_text(encoding="utf-8")
    assert "img { max-width: 100%; height: auto; }" in css  # the attributes reserve space, CSS scales


def test_image_size_of_raster_and_svg():
    import io

    from PIL import Image

    from kkguide.images import SVG_DEFAULT_SIZE, image_size

    png = io.BytesIO()
    Image.new("RGB", (37, 21), "white").save(png, "PNG")
    assert image_size("a.png", png.getvalue()) == (37, 21)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" {}><rect width="1" height="1"/></svg>'
    cases = {'width="400" height="160" viewBox="0 0 40 16"': (400, 160),
             'width="100mm" height="124mm"': (378, 469),
             'viewBox="0 0 80 20"': (80, 20),
             'width="200" viewBox="0 0 80 20"': (200, 50),
             'width="100%" height="100%" viewBox="0,0,30,60"': (30, 60),
             'width="2em"': SVG_DEFAULT_SIZE, '': SVG_DEFAULT_SIZE, 'viewBox="a b c d"': SVG_DEFAULT_SIZE}
    for attrs, size in cases.items():
        assert image_size("x.svg", svg.format(attrs).encode()) == size, attrs


def test_logo_is_sized(mini, tmp_path, cli):
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (240, 60), (0x12, 0x34, 0x56)).save(png, "PNG")
    (mini / "guide/images/logo.png").write_bytes(png.getvalue())
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text(encoding="utf-8") + "theme:\n  logo: guide/images/logo.png\n", encoding="utf-8")
    out = tmp_path / "site"
    assert cli(mini, "web", "--out", str(out)).exit_code == 0
    [logo] = _parsed(out, "ar/index.html").all("img", **{"class": "site-logo"})
    assert (logo["width"], logo["height"]) == ("240", "60") and (out / "guide/images/logo.png").is_file()


def _pdf_links(out: Path, page: str) -> list[dict[str, str]]:
    return [a for a in _parsed(out, page).all("a") if a.get("href", "").endswith(".pdf")]


def test_pages_link_the_pdfs_the_site_holds(site):
    from babel.numbers import format_decimal

    manifest = json.loads((site.root / "dist/manifest.json").read_text(encoding="utf-8"))
    config = load_config(REPO)
    for lang in config.languages:
        page = f"{lang.code}/index.html"
        links = _pdf_links(site.out, page)
        text = (site.out / page).read_text(encoding="utf-8")
        if lang.code not in PDF_LANGS:  # no PDF built: the page says nothing of PDFs
            assert links == [] and 'class="downloads"' not in text, page
            continue
        built = {a["edition"]: a for a in manifest["artifacts"] if a["language"] == lang.code}
        assert set(built) == {"screen", "print"}
        assert [a["href"] for a in links] == [Path(built[e]["path"]).name for e in ("screen", "print")]
        for link, edition in zip(links, ("screen", "print")):
            published = site.out / lang.code / link["href"]
            assert published.read_bytes() == (site.root / "dist" / built[edition]["path"]).read_bytes()
            with urllib.request.urlopen(f"{site.url}/{lang.code}/{link['href']}") as response:
                assert response.status == 200 and response.read(5) == b"%PDF-"
            size = format_decimal(max(built[edition]["bytes"] / 1e6, 0.1), "0.0", locale=lang.cldr)
            assert f"(PDF, {size} MB)" in text, (page, size)
    assert _pdf_links(site.out, "index.html") == []


def test_a_pdf_that_differs_from_the_manifest_is_not_linked(mini, tmp_path, cli):
    assert cli(mini, "build", "-l", "ar").exit_code == 0
    out = tmp_path / "site"
    said = cli(mini, "web", "--out", str(out))
    assert said.exit_code == 0 and ", 1 PDF(s)" in said.output
    [link] = _pdf_links(out, "ar/index.html")
    assert _pdf_links(out, "de/index.html") == [] and (out / "ar" / link["href"]).is_file()
    pdf = mini / "dist/ar" / link["href"]
    data = pdf.read_bytes()
    pdf.unlink()   # the generation's file is a hard link of the published one: write a new file
    pdf.resolve().write_bytes(data + b"%tampered\n")
    said = cli(mini, "web", "--out", str(out))
    assert said.exit_code != 0 and "differs from its manifest.json entry" in said.output, said.output
    assert (out / "ar" / link["href"]).read_bytes() == data  # the published site is unchanged
