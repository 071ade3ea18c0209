"""The reference documentation, written from the code: ``docs/commands.md`` from click's own help
of every command, ``docs/configuration.md`` from the key tables of ``kkguide.schema`` that the
validation uses. ``scripts/make-docs.py`` (``make docs``) writes both; ``tests/test_reference.py``
fails when either is not what the code says.
"""

from __future__ import annotations

import click

from .schema import FILES, Key

WIDTH = 100

COMMANDS_HEAD = """# Command reference

Written by `make docs` (`scripts/make-docs.py`) from kkguide's own `--help`; `tests/test_reference.py`
fails when this file and the code disagree. Every command takes `-h`/`--help`. Options of the
group go before the command: `kkguide -C DIR COMMAND` (a command's own `-C DIR` works too).
Commands that report take `--format text|json`. A problem in the input is one line
`file:line: message` and exit status 1 (`-v` adds a traceback for internal errors only).

## Shell completion

click's completion, for bash, zsh and fish (commands, options, file names, and the language
codes and editions of the guide in the current folder or `-C DIR`):

```sh
# bash: add to ~/.bashrc
eval "$(_KKGUIDE_COMPLETE=bash_source kkguide)"
# zsh: add to ~/.zshrc
eval "$(_KKGUIDE_COMPLETE=zsh_source kkguide)"
# fish: once
_KKGUIDE_COMPLETE=fish_source kkguide > ~/.config/fish/completions/kkguide.fish
```

Where `kkguide` is not on the PATH, put `.venv/bin` there first (`export PATH="$PWD/.venv/bin:$PATH"`).
"""

CONFIG_HEAD = """# Configuration reference: guide.yml, contacts.yml, chapter front matter, order file

Written by `make docs` (`scripts/make-docs.py`) from `kkguide/schema.py`, the tables the validation
takes its keys from; `tests/test_reference.py` fails when a key is accepted without being listed
here. An unknown key is an error naming its file and line. How to write chapters and facts:
`docs/authoring.md`.
"""


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """The context the command runs in (the group's settings, e.g. -h, inherited), at a fixed width."""
    return command.make_context(name, [], parent=parent, resilient_parsing=True,
                                max_content_width=WIDTH, terminal_width=WIDTH)


def _commands(group: click.Group, ctx: click.Context, prefix: list[str]):
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = _context(command, name, ctx)
        yield [*prefix, name], command, sub
        if isinstance(command, click.Group):
            yield from _commands(command, sub, [*prefix, name])


def commands_markdown(main: click.Group) -> str:
    root = _context(main, "kkguide", None)
    parts = [COMMANDS_HEAD, "## kkguide\n", "```text", main.get_help(root), "```", ""]
    for path, command, ctx in _commands(main, root, []):
        parts += [f"## kkguide {' '.join(path)}\n", "```text", command.get_help(ctx), "```", ""]
    return "\n".join(parts)


def _rows(key: Key, path: str) -> list[str]:
    rows = []
    for child in key.keys:
        doc = child.doc
        if key.free:   # one row for the value of every free key
            slot = f"<{key.slot}>"
            name = ".".join(p for p in (path, slot, "" if child.name.startswith("(") else child.name) if p)
            doc = f"{doc} `{slot}`: {key.free}." if child is key.keys[0] else doc
        else:
            name = f"{path}.{child.name}" if path else child.name
        cells = (f"`{name}`", "yes" if child.required else "", child.takes, child.default, doc)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        rows += _rows(child, name)
    return rows


def configuration_markdown() -> str:
    parts = [CONFIG_HEAD]
    for file in FILES:
        parts += [f"## {file.name}\n", file.doc + "\n"]
        parts += ["| key | required | takes | default | what |", "|---|---|---|---|---|", *_rows(file, ""), ""]
    return "\n".join(parts)


def documented(file_name: str, path: tuple) -> frozenset[str]:
    """The key names the reference lists for the mapping at ``path`` of ``file_name`` (free keys
    such as fact ids or edition names stand for the entries they hold)."""
    file = next(f for f in FILES if f.name == file_name)
    key = file
    for part in path:
        if part in key.names:
            key = key.child(part)
        elif not key.free:
            return frozenset()
    return key.names
