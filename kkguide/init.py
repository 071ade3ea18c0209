"""Start a guide of one's own: ``kkguide init DIR --from blank|kleve``.

``blank`` (package data in ``kkguide/templates/blank/``) is a small guide for another office: its
name, address, title and languages in guide/guide.yml with a ``theme`` block (colours, logo, fonts,
an extra style sheet), guide/contacts.yml whose every entry is a placeholder or unconfirmed
(``state: unverified``), one example chapter, a logo to replace, ``styles/office.css``, and the
catalogs of its languages (made as `kkguide update` makes them). It has no copy of kkguide's
templates: ``styles/`` is layered over the built-in ones (``kkguide.files``), so the guide holds
only what it changes. ``kleve`` copies the shipped Kreis Kleve guide whole, as an example.

Everything is read and checked first; the guide is written into a hidden folder beside DIR,
validated as a build validates it, and then renamed to DIR: DIR appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import KkguideError
from .files import SOURCE_DIRS, ProjectFiles, builtin_styles, check_control
from .fsio import atomic_write, check_output

TEMPLATES = Path(__file__).resolve().parent / "templates"
SOURCES = ("blank", "kleve")
GITIGNORE = b"dist/\n"
_RENDERED = ".yml.j2"   # guide/*.yml.j2 of a template are rendered; every other file is copied


@dataclass(frozen=True)
class NewGuide:
    """What ``--from blank`` writes into guide.yml and contacts.yml."""

    office: str = "Ausländerbehörde Musterstadt"
    address: str = "Musterstraße 1, 12345 Musterstadt"
    title: str = "Willkommen"
    subtitle: str = "Wegweiser für Neuzugewanderte"
    languages: tuple[str, ...] = ("de", "en", "ar", "uk")
    file_name: str = ""          # default: from the folder's name


@dataclass(frozen=True)
class Created:
    folder: Path
    files: int
    languages: tuple[str, ...]
    source: str


def slug(name: str) -> str:
    """ASCII file-name stem: 'Bad Münstereifel' -> 'bad-muenstereifel'."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def init_guide(dest: Path, source: str, settings: NewGuide, stand) -> Created:
    """Create a new guide in ``dest`` (a new or empty folder) from ``source``."""
    _check_destination(dest)
    if source == "blank":
        files = _blank(settings, dest, stand)
    elif source == "kleve":
        files = _kleve()
    else:
        raise KkguideError(f"--from {source}: unknown template (known: {', '.join(SOURCES)})")
    tmp = dest.absolute().parent / f".{dest.name}.kkguide-init-{os.getpid()}"
    try:
        for rel, data in files.items():
            atomic_write(tmp / rel, data)
        atomic_write(tmp / ".gitignore", GITIGNORE)
        languages = _catalogs(tmp) if source == "blank" else _validate(tmp)
        os.rename(tmp, dest)   # replaces an empty folder; the guide appears whole
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Created(dest, len(files) + 1, languages, source)


def _check_destination(dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise KkguideError("cannot create a guide here: not a folder", dest.absolute())
    if dest.is_dir() and any(dest.iterdir()):
        raise KkguideError("folder is not empty: kkguide init writes only into a new or empty folder",
                           dest.absolute())
    check_output(dest.absolute().parent)


def _text(option: str, value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise KkguideError(f"{option}: must not be empty")
    check_control(value, option)
    return value


def _blank(settings: NewGuide, dest: Path, stand) -> dict[str, bytes]:
    from .config import make_language

    codes = list(dict.fromkeys(["de", *settings.languages]))
    for code in codes:
        try:
            make_language(code, "--lang", 0)
        except KkguideError:
            raise KkguideError(f"--lang {code}: unknown language code (BCP 47 codes CLDR knows, "
                               "e.g. en, ar, uk, tr, fa, prs, ti)") from None
    file_name = settings.file_name or (f"{slug(dest.absolute().name)}-welcome-guide".lstrip("-"))
    from .config import _FILE_NAME

    if not _FILE_NAME.match(file_name):
        raise KkguideError(f"--file-name {file_name}: use lower-case ASCII letters and digits joined by hyphens")
    values = {"office": _text("--office", settings.office), "address": _text("--address", settings.address),
              "title": _text("--title", settings.title), "subtitle": _text("--subtitle", settings.subtitle),
              "languages": codes, "stand": stand.isoformat(), "file_name": file_name}
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["yaml"] = lambda text: json.dumps(text, ensure_ascii=False)   # a YAML double-quoted scalar
    files = {}
    for rel, data in _read_tree(TEMPLATES / "blank").items():
        if rel.startswith("guide/") and rel.endswith(_RENDERED):
            text = env.from_string(data.decode("utf-8")).render(**values)
            files[rel[: -len(".j2")]] = text.encode("utf-8")
        else:
            files[rel] = data
    return files


def shipped_guide() -> Path:
    """The Kreis Kleve guide kkguide ships (its source folder)."""
    styles = builtin_styles()
    if styles is None:
        raise KkguideError("the shipped Kreis Kleve guide is not installed beside kkguide (install kkguide "
                           "from its source folder with `make setup`)")
    return styles.parent


def _kleve() -> dict[str, bytes]:
    return _read_tree(shipped_guide())


def _read_tree(root: Path) -> dict[str, bytes]:
    """Every file of a template's source folders, read through the one door (without the
    built-in style layer: only the template's own files)."""
    files = ProjectFiles(root, root.resolve())
    found = {}
    for folder in SOURCE_DIRS:
        for rel in files.listing(folder, "*", recursive=True):
            found[rel] = files.read_bytes(rel)
    return found


def _catalogs(root: Path) -> tuple[str, ...]:
    """POT and one draft catalog per target language, as `kkguide update` makes them."""
    from .catalogs import POT_FILE, make_template, update_catalog, write_if_changed
    from .project import load_project

    project = load_project(root)
    config = project.config
    write_if_changed(config.files, POT_FILE, make_template(config, project.segments, project.ui))
    for lang in config.target_languages:
        update_catalog(config.files, lang)
    return _validate(root)


def _validate(root: Path) -> tuple[str, ...]:
    from .project import load_catalogs, load_project

    project = load_project(root)
    load_catalogs(project, [lang.code for lang in project.config.target_languages])
    return tuple(lang.code for lang in project.config.languages)
