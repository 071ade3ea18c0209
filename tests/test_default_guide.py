"""The embedded default guide: every language builds, complete, checked with real tools."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kkguide.build import load_project
from kkguide.cli import main
from pdfcheck import check_press_basics, plain_text
from conftest import REPO

LANGS = ["de", "en", "ar", "uk", "tr"]
# A word of each language that the guide must contain (the translation, not the German fallback).
SAMPLE = {"de": "Ausländerbehörde", "en": "residence", "ar": "الإقامة", "uk": "проживання", "tr": "oturum"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("default")
    for part in ("guide", "chapters", "translations", "styles"):
        shutil.copytree(REPO / part, root / part)
    result = CliRunner().invoke(main, ["build", "-C", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "dist"


def test_guide_has_the_languages_and_chapters_it_promises():
    project = load_project(REPO)
    assert [lang.code for lang in project.config.languages] == LANGS
    assert len(project.chapters) >= 12
    assert project.config.language("ar").direction == "rtl"


@pytest.mark.parametrize("lang", LANGS)
def test_every_pdf_is_complete_and_checked(built: Path, lang: str):
    pdf = built / f"{lang}/kreis-kleve-welcome-guide-{lang}-screen.pdf"
    text = check_press_basics(pdf, lang, min_pages=24)
    assert SAMPLE[lang].lower() in plain_text(pdf).lower()
    assert "110" in text and "112" in text


def test_manifest_lists_every_pdf_fully_translated(built: Path):
    manifest = json.loads((built / "manifest.json").read_text())
    by_lang = {a["language"]: a for a in manifest["artifacts"]}
    assert sorted(by_lang) == sorted(LANGS)
    for lang, artifact in by_lang.items():
        assert artifact["pages"] >= 24
        assert artifact["coverage"]["fuzzy"] == 0 and artifact["coverage"]["untranslated"] == 0, lang


def test_status_counts_every_target_language():
    result = CliRunner().invoke(main, ["status", "-C", str(REPO), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["language"]: r for r in json.loads(result.output)}
    assert sorted(rows) == ["ar", "en", "tr", "uk"]
    for row in rows.values():
        assert row["translated"] == row["messages"] and row["draft"] is True
