"""The one door for reading: every file kkguide reads goes through this module.

Project files are named relative to the project root (``chapters/02-anmeldung.md``). A name is
resolved (symlinks followed) and refused, with a located error, when its real path lies outside
the project's source folders, when it is not a regular file, or when it is larger than the limit
for its kind. Text is decoded as UTF-8 and checked for control characters before any parser sees
it. Files named explicitly on the command line (a returned translation, an order, a PDF to check)
come in through ``read_input``: they may lie anywhere, but must be regular files within a limit.

Nothing else in kkguide opens a source file; parsers get bytes or text, never a path they could
open themselves.

``styles/`` is layered: a file the project has in its own ``styles/`` is used; a name it does not
have is looked up in kkguide's built-in styles (the shipped guide's ``styles/`` folder beside the
package, ``builtin_styles``), with the same checks. So a new guide (``kkguide init --from
blank``) keeps only the files it changes in ``styles/``, like a theme's override folder, and
gets kkguide's templates and style sheets, and their fixes, for the rest.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import KkguideError

SOURCE_DIRS = ("chapters", "guide", "styles", "translations")
LAYERED = "styles"


def builtin_styles() -> Path | None:
    """kkguide's own templates and style sheets: the shipped guide's styles/ folder next to the
    package (a source checkout or editable install, as `make setup` makes), or None."""
    folder = Path(__file__).resolve().parent.parent / LAYERED
    return folder if (folder / "guide.html.j2").is_file() else None

KiB, MiB = 1024, 1024 * 1024
# Limits by kind of file: far above what a real guide needs (the default guide's largest chapter is
# 3 KB, its largest catalog 110 KB, its ICC profile 247 KB), far below what hurts a build.
LIMITS = {
    "chapter": 256 * KiB,
    "config": 256 * KiB,       # guide.yml, contacts.yml, glossary.yml, order files
    "catalog": 4 * MiB,
    "template": 256 * KiB,
    "style": 1 * MiB,
    "image": 20 * MiB,
    "font": 20 * MiB,
    "profile": 8 * MiB,
    "returned": 16 * MiB,      # a translation file coming back from a translator or agency
    "pdf": 512 * MiB,
    "file": 20 * MiB,
}

# C0 controls except tab, newline and carriage return; DEL and C1 controls; bidi overrides and
# embeddings (Trojan-source characters). Isolates and marks (U+2066-2069, U+200E/F, U+061C) are
# legitimate in right-to-left translations and are checked per message, not per file.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]")
CONTROL_NAMES = {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\u200e": "LEFT-TO-RIGHT MARK",
                 "\u200f": "RIGHT-TO-LEFT MARK", "\u061c": "ARABIC LETTER MARK", "\u2066": "LEFT-TO-RIGHT ISOLATE",
                 "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
                 "\u2069": "POP DIRECTIONAL ISOLATE", "\u202a": "LEFT-TO-RIGHT EMBEDDING",
                 "\u202b": "RIGHT-TO-LEFT EMBEDDING", "\u202c": "POP DIRECTIONAL FORMATTING",
                 "\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE"}


def kind_of(rel: str) -> str:
    """What a project file is, for messages and limits: the same name whichever reader meets it."""
    path = PurePosixPath(rel)
    top, suffix = (path.parts[0] if path.parts else ""), path.suffix.lower()
    if rel == "guide/guide.yml":
        return "guide configuration"
    if rel == "guide/contacts.yml":
        return "facts file"
    if top == "chapters" and suffix == ".md":
        return "chapter"
    if top == "translations" and suffix in (".po", ".pot"):
        return "catalog"
    if suffix in (".svg", ".png", ".jpg", ".jpeg"):
        return "image"
    if suffix == ".css":
        return "style"
    if suffix == ".j2":
        return "template"
    if suffix in (".ttf", ".otf", ".woff", ".woff2"):
        return "font"
    if suffix in (".icc", ".icm"):
        return "profile"
    if suffix in (".yml", ".yaml"):
        return "config"
    return "file"


def _limit(kind: str) -> int:
    return LIMITS.get(kind, LIMITS["config"] if kind in ("guide configuration", "facts file") else LIMITS["file"])


def describe_char(ch: str) -> str:
    name = CONTROL_NAMES.get(ch, "control character")
    return f"U+{ord(ch):04X} ({name})"


def find_control(text: str) -> re.Match | None:
    """The first forbidden control character in ``text``, if any."""
    return _CONTROL.search(text)


def _size_error(size: int, limit: int, kind: str, shown: str) -> KkguideError:
    return KkguideError(f"{kind} of {size:,} bytes is larger than the limit of {limit:,} bytes", shown)


def _read_regular(path: Path, shown: str, limit: int, kind: str, follow: bool) -> bytes:
    """Open ``path`` (not following a final symlink unless ``follow``), insist on a regular file
    within ``limit`` bytes, and read it from the opened descriptor (no check-then-open race)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise KkguideError(f"{kind} not found", shown) from None
    except IsADirectoryError:
        raise KkguideError(f"{kind} is a folder, not a file", shown) from None
    except OSError as exc:
        raise KkguideError(f"cannot read {kind}: {exc.strerror}", shown) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KkguideError(f"{kind} is not a regular file", shown)
        if info.st_size > limit:
            raise _size_error(info.st_size, limit, kind, shown)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise _size_error(total, limit, kind, shown)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_text(data: bytes, shown: str, line_offset: int = 0) -> str:
    """UTF-8 text (a leading byte order mark is dropped) without forbidden control characters."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 + line_offset
        raise KkguideError("file is not valid UTF-8 text", shown, line) from None
    text = text.removeprefix("\ufeff")
    check_control(text, shown, line_offset)
    return text.replace("\r\n", "\n")


def check_control(text: str, shown: str, line_offset: int = 0, what: str = "") -> None:
    match = find_control(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1 + line_offset
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise KkguideError(f"{what}{describe_char(match.group())} at column {column}: "
                           "control characters are not allowed in text", shown, line)


@dataclass(frozen=True)
class ProjectFiles:
    """The project's source folders, seen through the one door."""

    root: Path        # as the user named it (messages stay relative to it)
    real: Path        # the resolved root
    styles_base: Path | None = None   # kkguide's built-in styles/ (resolved), for names the project lacks

    @staticmethod
    def at(root: Path) -> "ProjectFiles":
        try:
            real = root.resolve(strict=True)
        except (FileNotFoundError, RuntimeError):
            raise KkguideError(f"project folder not found: {root.absolute()}") from None
        if not real.is_dir():
            raise KkguideError(f"project folder is not a folder: {root.absolute()}")
        base = builtin_styles()
        return ProjectFiles(root, real, None if base is None or base == real / LAYERED else base)

    def locate(self, rel: str | PurePosixPath, kind: str = "", dirs: tuple[str, ...] = SOURCE_DIRS) -> Path:
        """The real path of project file ``rel``; refused when it leaves ``dirs`` of the project.
        A name under styles/ that the project does not have is kkguide's built-in file, if any."""
        own = self._own(rel, kind, dirs)
        parts = PurePosixPath(str(rel)).parts
        if self.styles_base is None or parts[0] != LAYERED or os.path.lexists(self.real / str(rel)):
            return own
        builtin = self._builtin(parts)
        return builtin if builtin is not None else own

    def _builtin(self, parts: tuple[str, ...]) -> Path | None:
        """kkguide's built-in file or folder styles/PARTS..., if it exists inside the built-in folder."""
        if self.styles_base is None or not parts or parts[0] != LAYERED:
            return None
        builtin = (self.styles_base / PurePosixPath(*parts[1:])).resolve(strict=False)
        inside = builtin == self.styles_base or self.styles_base in builtin.parents
        return builtin if inside and builtin.exists() else None

    def _own(self, rel: str | PurePosixPath, kind: str, dirs: tuple[str, ...]) -> Path:
        shown = str(rel)
        kind = kind or kind_of(shown)
        parts = PurePosixPath(shown).parts
        if not parts or PurePosixPath(shown).is_absolute() or ".." in parts or parts[0] not in dirs:
            raise KkguideError(f"{kind} must lie in the project's {', '.join(d + '/' for d in dirs)}", shown)
        try:
            real = (self.real / shown).resolve(strict=False)
        except RuntimeError:  # a symlink loop
            raise KkguideError(f"{kind} is a symlink loop", shown) from None
        allowed = [self.real / d for d in dirs]
        if not any(real == base or base in real.parents for base in allowed):
            raise KkguideError(f"refused: {kind} resolves to {real}, outside the project's "
                               f"{', '.join(d + '/' for d in dirs)} (a symlink?)", shown)
        return real

    def is_file(self, rel: str, kind: str = "", dirs: tuple[str, ...] = SOURCE_DIRS) -> bool:
        """Whether project file ``rel`` exists as a regular file (a refused path is an error)."""
        path = self.locate(rel, kind, dirs)
        try:
            return stat.S_ISREG(path.stat().st_mode)
        except OSError:
            return False

    def read_bytes(self, rel: str, kind: str = "", limit: int | None = None,
                   dirs: tuple[str, ...] = SOURCE_DIRS) -> bytes:
        kind = kind or kind_of(str(rel))
        path = self.locate(rel, kind, dirs)
        return _read_regular(path, str(rel), limit or _limit(kind), kind, follow=False)

    def read_text(self, rel: str, kind: str = "", limit: int | None = None) -> str:
        return decode_text(self.read_bytes(rel, kind, limit), str(rel))

    def listing(self, folder: str, pattern: str = "*", recursive: bool = False, kind: str = "") -> tuple[str, ...]:
        """Relative names of the regular files in ``folder`` that match ``pattern``, sorted; an
        entry that resolves outside the project is an error, not silently skipped or followed."""
        bases = [self._own(folder, "folder", SOURCE_DIRS), self._builtin(PurePosixPath(folder).parts)]
        names: set[PurePosixPath] = set()
        for base in dict.fromkeys(bases):
            if base is not None and base.is_dir():
                names.update(PurePosixPath(folder, entry.relative_to(base).as_posix())
                             for entry in (base.rglob(pattern) if recursive else base.glob(pattern)))
        found = []
        for rel in sorted(names):
            real = self.locate(str(rel), kind)
            if stat.S_ISREG(real.stat().st_mode) if real.exists() else False:
                found.append(str(rel))
        return tuple(found)

    def shown(self, path: Path) -> str:
        """How a real path inside the project is named in messages."""
        try:
            return path.resolve().relative_to(self.real).as_posix()
        except ValueError:
            return str(path)


def read_input(path: Path, kind: str, limit: int | None = None) -> bytes:
    """A file named on the command line: anywhere, but a regular file within the limit."""
    return _read_regular(path, str(path), limit or LIMITS.get(kind, LIMITS["file"]), kind, follow=True)


def input_text(path: Path, kind: str, limit: int | None = None) -> str:
    return decode_text(read_input(path, kind, limit), str(path))
