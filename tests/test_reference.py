"""The reference docs say what the code does: docs/commands.md is click's own help of every
command, docs/configuration.md the key tables validation takes its keys from; every command,
option and key has its line of documentation, and validation accepts no key the reference lacks
(observed while it loads real guides, not read from the tables)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO
from kkguide import config as config_mod, package, sources, theme
from kkguide.cli import main
from kkguide.reference import commands_markdown, configuration_markdown, documented
from kkguide.schema import FILES, Key

HOW = "run `make docs` (.venv/bin/python scripts/make-docs.py) and commit docs/"


@pytest.mark.parametrize("name, written", [("commands.md", lambda: commands_markdown(main)),
                                           ("configuration.md", configuration_markdown)])
def test_reference_is_current(name, written):
    assert (REPO / "docs" / name).read_text(encoding="utf-8") == written(), f"docs/{name} is not current: {HOW}"


def _all_commands(group: click.Group, ctx: click.Context, path=("kkguide",)):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx)
        yield (*path, name), command, sub
        if isinstance(command, click.Group):
            yield from _all_commands(command, sub, (*path, name))


def command_gaps(group: click.Group) -> list[str]:
    """Every visible command needs a help text, every visible option its help, every argument a
    mention in its command's help."""
    missing = []
    for path, command, ctx in _all_commands(group, click.Context(group, info_name="kkguide")):
        if command.hidden:
            continue
        shown, text = " ".join(path), command.help or ""
        if not text.strip():
            missing.append(f"{shown}: no help text (docstring)")
        for param in command.params:
            if isinstance(param, click.Option):
                if not param.hidden and not (param.help or "").strip():
                    missing.append(f"{shown} {param.opts[0]}: no help")
            elif isinstance(param, click.Argument) and param.make_metavar(ctx).strip(".[]") not in text:
                missing.append(f"{shown} {param.make_metavar(ctx)}: the argument is not named in the help text")
    return missing


def test_every_command_option_and_argument_is_documented():
    assert not command_gaps(main), "\n".join(command_gaps(main))
    reference = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    for path, command, _ in _all_commands(main, click.Context(main, info_name="kkguide")):
        if not command.hidden:
            assert f"## {' '.join(path)}\n" in reference, f"{' '.join(path)} missing from docs/commands.md: {HOW}"


def test_the_command_check_can_fail():
    """A command without help, an option without help, an argument its help does not name: found."""
    @click.command()
    @click.argument("target")
    @click.option("--quiet-thing")
    def bare(target, quiet_thing):
        pass

    @click.command()
    @click.option("--fine", help="Is fine.")
    def fine(fine):
        """Does a thing."""
    gaps = command_gaps(click.Group(commands={"bare": bare, "fine": fine}))
    assert len(gaps) == 3 and all(g.startswith("kkguide bare") for g in gaps), gaps


def _keys(key: Key, path=()):
    for child in key.keys:
        yield (*path, child.name), child
        yield from _keys(child, (*path, child.name))


def test_every_key_is_described():
    for file in FILES:
        assert file.doc.strip(), file.name
        for path, key in _keys(file):
            assert key.doc.strip() and key.takes.strip(), f"{file.name}: {'.'.join(path)} has no description"
            if key.free:
                assert key.slot and key.keys, f"{file.name}: {'.'.join(path)}: free keys need a slot and a value"


class Recorder:
    """Stands in for ``check_keys`` in the loading modules: records which key names each mapping
    was allowed to have, then checks as before."""

    def __init__(self, real):
        self.real, self.seen = real, []

    def __call__(self, doc, mapping, key, required, optional=frozenset()):
        self.seen.append((str(doc.path), tuple(str(k) for k in key), set(required) | set(optional)))
        return self.real(doc, mapping, key, required, optional)


def _file_of(path: str) -> str:
    if path.endswith("guide/guide.yml"):
        return "guide/guide.yml"
    if path.endswith("guide/contacts.yml"):
        return "guide/contacts.yml"
    if path.endswith(".md"):
        return next(f.name for f in FILES if "front matter" in f.name)
    return next(f.name for f in FILES if f.name.startswith("order file"))


def _undocumented(seen) -> list[str]:
    found = []
    for path, key, allowed in seen:
        file = _file_of(path)
        extra = allowed - documented(file, key)
        if extra:
            found.append(f"{path} at {'.'.join(key) or 'top level'}: accepts {sorted(extra)}, not in {file}'s reference")
    return found


@pytest.fixture
def recorder_in(monkeypatch):
    rec = Recorder(config_mod.check_keys)
    for module in (config_mod, theme, sources, package):
        monkeypatch.setattr(module, "check_keys", rec)
    return rec


def test_validation_accepts_only_documented_keys(recorder_in, tmp_path):
    from kkguide.project import load_project

    blank = tmp_path / "blank"
    made = CliRunner().invoke(main, ["init", str(blank), "--from", "blank"], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    for root in (REPO, blank, FIXTURES / "mini"):
        load_project(root)
    order = tmp_path / "order.yml"
    order.write_text("order: T-1\nshop: S\npaper: {weight_gsm: 135, finish: uncoated, volume: 1.1}\n"
                     "max_saddle_pages: 64\nallow_drafts: false\nquantities: {de: 10}\n", encoding="utf-8")
    package.load_order(order, config_mod.load_config(REPO))
    files = {_file_of(path) for path, _, _ in recorder_in.seen}
    assert files == {f.name for f in FILES}, f"some file's keys were never checked: {files}"
    assert {("guide/guide.yml", ("theme", "colours"))} <= {(_file_of(p), k) for p, k, _ in recorder_in.seen}
    assert not _undocumented(recorder_in.seen), "\n".join(_undocumented(recorder_in.seen))


def test_the_key_check_can_fail():
    """A key that validation accepts but the reference lacks is reported."""
    seen = [("guide/guide.yml", (), {"title", "colour_of_the_day"}),
            ("guide/contacts.yml", ("some_fact",), {"phone", "pager"}),
            ("x/order.yml", ("paper",), {"finish", "gloss"})]
    assert len(_undocumented(seen)) == 3


def test_completion_offers_the_guides_languages_and_editions(tmp_path):
    """Shell completion (docs/commands.md) completes --lang and --edition from the guide named by -C."""
    def complete(*words):
        env = {"_KKGUIDE_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
        result = CliRunner().invoke(main, [], env=env, prog_name="kkguide")
        return [line.split(",", 1)[1] for line in result.output.splitlines() if line]

    mini = str(FIXTURES / "mini")
    langs = [lang.code for lang in config_mod.load_config(Path(mini)).languages]
    assert complete("kkguide", "-C", mini, "build", "--lang", "") == langs
    assert complete("kkguide", "facts", "-C", mini, "--lang", langs[1][:1]) == [c for c in langs if c[0] == langs[1][0]]
    assert complete("kkguide", "-C", mini, "build", "--edition", "sc") == ["screen"]
    assert complete("kkguide", "-C", str(tmp_path), "build", "--lang", "") == []   # no guide there: nothing
