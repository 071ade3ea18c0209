"""Nothing outside the project is ever read or published (issue 11).

A unique string is planted in files outside the project. Every way in that an attacker has (a
volunteer translator, an agency's returned file, a copied project folder) is tried; every command
runs; and every output is searched for the string: PDF text (poppler), PDF bytes after
``qpdf --qdf`` (decompressed), the web site, the cache, the print-shop zip.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import polib
import pytest

from badinput import CASES, SECRET
from conftest import make_printable, make_project, tool


def _plant(root: Path) -> Path:
    secret = root.parent / "secret" / "geheim.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(f"{SECRET}\n")
    return secret


def _hostile_but_allowed(root: Path, secret: Path) -> None:
    """Everything here must be read safely, escaped or ignored: the build succeeds."""
    uri = secret.as_uri()
    chapter = root / "chapters/02-notruf.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"""
Ein [Link]({uri}) und ![Bild]({uri}) und <link rel="attachment" href="{uri}"> und <img src="{uri}">.

<object data="{uri}"></object> {secret}
""", encoding="utf-8")
    po_path = root / "translations/ar/LC_MESSAGES/guide.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    po.find("Anmelden").msgstr = f'التسجيل <link rel="attachment" href="{uri}"><img src="{uri}">'
    po.save()
    guide = root / "guide/guide.yml"
    guide.write_text(guide.read_text(encoding="utf-8").replace(
        "publisher: Kreis Kleve, Ausländerbehörde",
        f"publisher: 'Kreis Kleve <link rel=\"attachment\" href=\"{uri}\"><img src=\"{uri}\">'"), encoding="utf-8")
    # a symlink out of the project that no chapter places: the web edition must not publish it
    (root / "guide/images/unused.svg").symlink_to(secret)


def _pdf_texts(path: Path) -> list[bytes]:
    qdf = path.with_suffix(".qdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)], check=True)
    found = [qdf.read_bytes(), tool("pdftotext", str(path), "-").encode()]
    qdf.unlink()
    return found


def _outputs(folder: Path) -> list[tuple[str, bytes]]:
    """(name, content) of every output file, PDFs as text and decompressed bytes, zips unpacked."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if data.startswith(b"%PDF"):
            found += [(f"{path} (decoded)", d) for d in _pdf_texts(path)]
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    found.append((f"{path}:{name}", archive.read(name)))
    return found


@pytest.mark.slow
def test_planted_secret_reaches_no_output_of_any_command(tmp_path, cli):
    root = make_printable(make_project(tmp_path / "p"))
    guide = root / "guide/guide.yml"
    guide.write_text(guide.read_text(encoding="utf-8").replace("editions:\n", "editions:\n  bilingual:\n    page_size: A5\n"),
                     encoding="utf-8")
    secret = _plant(root)
    _hostile_but_allowed(root, secret)
    # the unused symlink is read by the build's cache key: a located error, nothing written
    result = cli(root, "build", "--jobs", "1")
    assert result.exit_code == 1 and result.stderr.startswith("guide/images/unused.svg: refused: image resolves to ")
    assert not (root / "dist").exists()
    web = cli(root, "web")
    assert web.exit_code == 0, web.output
    assert not (root / "dist/web/guide/images/unused.svg").exists()
    (root / "guide/images/unused.svg").unlink()

    for args in (["update"], ["build", "--jobs", "1", "--edition", "screen", "--edition", "print", "--edition", "bilingual",
                  "--edition", "office-booklet"],
                 ["translate", "export", "--lang", "ar", "--format", "po"],
                 ["translate", "export", "--lang", "ar", "--format", "xliff"],
                 ["handout", "--lang", "ar", "--chapters", "registration", "--counsellor", "Frau A, Raum 1"],
                 ["languages-sheet", "--base-url", "https://example.org/guide"]):
        result = cli(root, *args)
        assert result.exit_code == 0, (args, result.output)
    order = root / "order.yml"
    order.write_text("order: test-1\npaper: {weight_gsm: 115, finish: matt coated}\nquantities: {de: 10, ar: 5}\n")
    result = cli(root, "package", "--order", str(order), "--allow-drafts")  # the fixture is a draft
    assert result.exit_code == 0, result.output
    outputs = _outputs(root / "dist")
    assert any(name.endswith(".zip") for name, _ in outputs) and len(outputs) > 20
    leaks = [name for name, data in outputs if SECRET.encode() in data]
    assert leaks == [], f"the planted secret reached: {leaks}"
    for pdf in (root / "dist").rglob("*.pdf"):
        assert "0 embedded files" in tool("pdfdetach", "-list", str(pdf)), pdf


def test_a_returned_file_holding_a_path_imports_nothing_from_that_path(mini, cli, tmp_path):
    """polib.pofile() takes a text for a path when such a file exists: a returned file whose whole
    content is the path of another catalog must not import that catalog."""
    other = tmp_path / "other.po"
    po = polib.pofile(str(mini / "translations/ar/LC_MESSAGES/guide.po"), wrapwidth=0)
    po.find("Anmelden").msgstr = SECRET
    po.save(str(other))
    returned = tmp_path / "returned.po"
    returned.write_text(str(other))
    result = cli(mini, "translate", "import", "--lang", "ar", str(returned))
    assert SECRET not in (mini / "translations/ar/LC_MESSAGES/guide.po").read_text(encoding="utf-8")
    assert "imported 0" in result.output or result.exit_code == 1


def test_xliff_with_entities_is_a_located_error(mini, cli, tmp_path):
    secret = _plant(mini)
    returned = tmp_path / "returned.xlf"
    returned.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'
                        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x" '
                        'source-language="de" target-language="ar" datatype="plaintext"><body>'
                        '<trans-unit id="1"><source>Anmelden</source><target>&s;</target></trans-unit>'
                        '</body></file></xliff>\n')
    result = cli(mini, "translate", "import", "--lang", "ar", str(returned))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{returned}:2: ") and "DOCTYPE" in result.stderr
    assert SECRET not in (mini / "translations/ar/LC_MESSAGES/guide.po").read_text(encoding="utf-8")


def test_a_returned_file_that_is_not_a_regular_file_is_refused(mini, cli, tmp_path):
    import os

    fifo = tmp_path / "returned.po"
    os.mkfifo(fifo)
    result = cli(mini, "translate", "import", "--lang", "ar", str(fifo))
    assert result.exit_code in (1, 2) and "not a regular file" in result.output + result.stderr


@pytest.mark.parametrize("case", [c for c in CASES if "outside the project" in c.name], ids=lambda c: c.name)
def test_symlinks_out_of_the_project_stop_every_reader(mini, cli, case):
    case.change(mini)
    for args in (["build"], ["web"], ["check"], ["status"], ["extract"]):
        result = cli(mini, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "refused:" in result.stderr and SECRET not in result.output, (args, result.stderr)
