"""Hostile content, killed builds, concurrent builds, determinism."""

from __future__ import annotations

import fcntl
import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib

from conftest import make_project, tool

PDFS = [f"{lang}/kreis-kleve-welcome-guide-{lang}-screen.pdf" for lang in ("de", "ar")]


def _kkguide(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kkguide.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_hostile_content_reads_no_file_and_opens_no_connection(mini, cli, recorder):
    url = recorder.url
    chapter = mini / "chapters/02-notruf.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"""
<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">
<iframe src="{url}/frame"></iframe> <object data="{url}/obj"></object>

Text mit [Link]({url}/seite), [Skript](javascript:alert(1)) und [Datei](file:///etc/passwd).

![Passwort](file:///etc/passwd)
""", encoding="utf-8")
    po = polib.pofile(str(mini / "translations/ar/LC_MESSAGES/guide.po"), wrapwidth=0)
    po.find("Anmelden").msgstr = f'التسجيل <img src="{url}/tr.png"><link rel="attachment" href="file:///etc/passwd">'
    po.save()
    result = cli(mini, "build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert recorder.hits == []
    for pdf in PDFS:
        path = mini / "dist" / pdf
        assert "0 embedded files" in tool("pdfdetach", "-list", str(path))
        data = path.read_bytes()
        assert b"root:x:0:0" not in data and b"javascript" not in data.lower()
        text = tool("pdftotext", str(path), "-")
        assert "root:x:" not in text
    assert "Text mit Link" in tool("pdftotext", str(mini / "dist" / PDFS[0]), "-")
    check = cli(mini, "check")
    assert check.exit_code == 1 and "HTML in the translation" in check.output


def _hostile_svg(url: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
            f'<image href="{url}/svg.png" width="5" height="5"/><image xlink:href="file:///etc/passwd" width="5" height="5"/>'
            f'<style>@import url("{url}/svg.css");</style></svg>')


def test_hostile_styles_images_and_remote_sources_are_located_errors(mini, cli, recorder):
    """What would make WeasyPrint fetch something outside the project is refused before rendering,
    with the line that asks for it; nothing is fetched, nothing is written."""
    url = recorder.url
    chapter = mini / "chapters/02-notruf.md"
    original = chapter.read_text(encoding="utf-8")
    css = mini / "styles/guide.css"
    css_text = css.read_text(encoding="utf-8")
    cases = [
        (lambda: css.write_text(css_text + f'\n@import url("{url}/x.css");\n', encoding="utf-8"),
         "styles/guide.css:", "refused: url(http://127.0.0.1"),
        (lambda: css.write_text(css_text + f'\n.chapter {{ background: url("{url}/bg.png"); }}\n', encoding="utf-8"),
         "styles/guide.css:", "refused: url("),
        (lambda: css.write_text(css_text + f'\n@font-face {{ font-family: Evil; src: url("{url}/f.ttf"); }}\n', encoding="utf-8"),
         "styles/guide.css:", "refused: url("),
        (lambda: css.write_text(css_text + '\n.x { background: url("../../etc/passwd"); }\n', encoding="utf-8"),
         "styles/guide.css:", "must lie in the project's"),
        (lambda: ((mini / "guide/images/boese.svg").write_text(_hostile_svg(url), encoding="utf-8"),
                  chapter.write_text(original + "\n![Grafik](images/boese.svg)\n", encoding="utf-8")),
         "chapters/02-notruf.md:", "SVG element <image> is not allowed"),
        (lambda: chapter.write_text(original + f"\n![Bild]({url}/bild.png)\n", encoding="utf-8"),
         "chapters/02-notruf.md:", "must be in guide/images/"),
    ]
    for make, where, problem in cases:
        css.write_text(css_text, encoding="utf-8")
        chapter.write_text(original, encoding="utf-8")
        make()
        result = cli(mini, "build", "--jobs", "1")
        assert result.exit_code == 1, (problem, result.output)
        assert result.stderr.startswith(where) and problem in result.stderr, result.stderr
        assert not (mini / "dist").exists()
    assert recorder.hits == []


def _shas(out: Path) -> dict[str, str | None]:
    found = {}
    for rel in [*PDFS, "manifest.json"]:
        path = out / rel
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return found


def test_killed_builds_leave_only_complete_files(tmp_path):
    root = make_project(tmp_path / "p")
    out = root / "dist"
    assert _kkguide("build", "-C", str(root), "--jobs", "1").wait() == 0
    old = _shas(out)
    chapter = root / "chapters/02-notruf.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    assert _kkguide("build", "-C", str(root), "--out", str(tmp_path / "ref"), "--jobs", "1").wait() == 0
    new = _shas(tmp_path / "ref")
    rng = random.Random(20261125)
    for run in range(10):
        proc = _kkguide("build", "-C", str(root), "--jobs", "1", "--force")
        time.sleep(rng.uniform(0.2, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _shas(out)
        for rel, sha in now.items():
            assert sha in (old[rel], new[rel]), f"run {run}: {rel} is neither the old nor the new file"
        json.loads((out / "manifest.json").read_text())
    assert _kkguide("build", "-C", str(root), "--jobs", "1").wait() == 0
    assert _shas(out) == new
    assert not list(out.rglob("*.tmp")), "stale temp files left after a complete build"


def test_killed_update_never_damages_a_catalog(tmp_path):
    root = make_project(tmp_path / "p")
    po = root / "translations/ar/LC_MESSAGES/guide.po"
    rng = random.Random(7)
    for run in range(8):
        chapter = root / "chapters/01-anmelden.md"
        chapter.write_text(chapter.read_text(encoding="utf-8").replace("zwei Wochen", f"{run + 3} Wochen"), encoding="utf-8")
        proc = _kkguide("update", "-C", str(root))
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        tool("msgfmt", "-c", "-o", "/dev/null", str(po))
        assert polib.pofile(str(po)).find("Anmelden").msgstr == "التسجيل"


def test_second_build_waits_for_the_first(tmp_path):
    root = make_project(tmp_path / "p")
    out = root / "dist"
    out.mkdir()
    with open(out / ".kkguide.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = _kkguide("build", "-C", str(root), "--jobs", "1")
        # the build says it waits (however long a loaded machine takes to get there), then waits
        said = []
        while not said or not said[-1].startswith("waiting: "):
            line = proc.stderr.readline()
            assert line, f"the build ended without waiting for the lock: {''.join(said)}"
            said.append(line)
        assert said[-1].startswith(f"waiting: another kkguide build is writing to {out}/"), said
        time.sleep(2)
        assert proc.poll() is None, "the build did not wait for the lock"
        assert not (out / PDFS[0]).exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    out_text, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert all((out / pdf).is_file() for pdf in PDFS), out_text + err


def test_two_builds_at_once_both_finish_with_identical_files(tmp_path):
    root = make_project(tmp_path / "p")
    assert _kkguide("build", "-C", str(root), "--out", str(tmp_path / "ref"), "--jobs", "1").wait() == 0
    first = _kkguide("build", "-C", str(root), "--jobs", "1", "--force")
    second = _kkguide("build", "-C", str(root), "--jobs", "1", "--force")
    assert first.wait() == 0 and second.wait() == 0
    assert _shas(root / "dist") == _shas(tmp_path / "ref")


def test_same_sources_in_another_folder_give_identical_bytes(tmp_path, cli):
    a = make_project(tmp_path / "a")
    b = make_project(tmp_path / "elsewhere" / "b")
    assert cli(a, "build", "--jobs", "1").exit_code == 0
    assert cli(b, "build", "--jobs", "2", "--force").exit_code == 0
    assert _shas(a / "dist") == _shas(b / "dist")
