"""CLI surface: help for every command, status table, -v for tracebacks only."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kkguide.cli import main


@pytest.mark.parametrize("command", ["build", "extract", "update", "status"])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output and "--project" in result.output


def test_status_table_counts_fuzzy_as_not_done(mini, cli):
    result = cli(mini, "status")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    header, row = lines[0], next(line for line in lines if line.startswith("ar "))
    assert header.split()[:6] == ["lang", "chapter", "reviewed", "translated", "fuzzy", "untransl."]
    fields = row.split()
    assert fields[:2] == ["ar", "(all)"] and fields[-1] == "draft" and fields[2] == "0"
    translated, fuzzy, untranslated = map(int, fields[3:6])
    assert fuzzy == 0 and untranslated > 0 and translated > 10
    po = mini / "translations/ar/LC_MESSAGES/guide.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Anmelden"', '#, fuzzy\nmsgid "Anmelden"'), encoding="utf-8")
    fields = next(line for line in cli(mini, "status").output.strip().splitlines() if line.startswith("ar ")).split()
    assert list(map(int, fields[3:6])) == [translated - 1, 1, untranslated]


def test_status_per_chapter(mini, cli):
    result = cli(mini, "status", "--chapters")
    names = [line.split()[1] for line in result.output.strip().splitlines()[2:] if line.startswith("ar ")]
    assert names == ["(all)", "(cover", "registration", "emergency"]


def test_not_a_project_is_a_located_error(tmp_path, cli):
    result = cli(tmp_path, "build")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{tmp_path.resolve()}/guide/guide.yml: not found: this folder is not a kkguide "
                                     "project (run kkguide in the project folder, or name it with -C DIR)")


def test_internal_errors_show_a_traceback_only_with_verbose(mini, monkeypatch):
    import kkguide.render as render  # render_html is looked up there at run time

    def boom(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(render, "render_html", boom)
    quiet = CliRunner().invoke(main, ["build", "-C", str(mini), "--jobs", "1"])
    assert quiet.exit_code == 1 and "internal error: RuntimeError: kaputt" in quiet.stderr
    assert "Traceback" not in quiet.stderr
    loud = CliRunner().invoke(main, ["-v", "build", "-C", str(mini), "--jobs", "1"])
    assert isinstance(loud.exception, RuntimeError)


def test_language_below_min_coverage_is_skipped_with_its_coverage(mini, cli):
    guide = mini / "guide/guide.yml"
    guide.write_text(guide.read_text() + "min_coverage:\n  default: 50\n  ar: 99\n")
    result = cli(mini, "build", "--jobs", "1")
    assert result.exit_code == 0
    assert re.search(r"skipped: ar \(العربية\) not built: \d+\.\d % translated, guide.yml min_coverage needs 99 %",
                     result.stderr), result.stderr
    assert (mini / "dist/de").exists() and not (mini / "dist/ar").exists()
    only = cli(mini, "build", "--lang", "ar")
    assert only.exit_code == 1 and "nothing was built" in only.stderr
