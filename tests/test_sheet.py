"""Language overview sheet: every language in its own script with a QR code that decodes to its PDF."""

from __future__ import annotations

import subprocess

from conftest import REPO, tool
from kkguide.config import load_config


def test_sheet_qr_codes_lead_to_each_language_pdf(tmp_path, cli):
    result = cli(REPO, "languages-sheet", "--base-url", "https://example.org/guide/", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "languages-sheet.pdf"
    assert "Pages:           1" in tool("pdfinfo", str(pdf)) and "A4" in tool("pdfinfo", str(pdf))
    tool("pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "sheet"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "sheet.png")],
                             capture_output=True, text=True).stdout.split()
    expected = {f"https://example.org/guide/{lang.code}/kreis-kleve-welcome-guide-{lang.code}-screen.pdf"
                for lang in load_config(REPO).languages}
    assert set(decoded) == expected
    text = tool("pdftotext", str(pdf), "-")
    for name in ("Deutsch", "Українська", "Türkçe", "Български", "ትግርኛ"):
        assert name in text
    assert "</div>" not in text


def test_sheet_needs_an_https_address(tmp_path, cli):
    result = cli(REPO, "languages-sheet", "--base-url", "ftp://x", "--out", str(tmp_path))
    assert result.exit_code == 1 and "https://" in result.stderr
