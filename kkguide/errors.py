"""User errors: one clear line that names the file and line, exit status 1."""

from __future__ import annotations

from pathlib import Path

import click


class KkguideError(click.ClickException):
    """An error in the user's input. Printed as ``file:line: message``, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.problem = message
        where = ""
        if self.path:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)

    def at(self, path: Path | str, line: int | None = None) -> "KkguideError":
        """The same problem, located where the user asked for it (e.g. a guide.yml line)."""
        where = f" ({self.path})" if self.path and self.path != str(path) else ""
        return KkguideError(self.problem + where, path, line)

    def show(self, file=None) -> None:  # no "Error: " prefix: the line starts with the file
        click.echo(self.format_message(), file=file, err=True)


def display_path(path: Path, root: Path) -> str:
    """A path relative to the project root when it lies inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
