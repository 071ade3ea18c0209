"""Content-addressed cache of finished PDFs, kept in ``<out>/.kkguide-cache/``, that says why it
missed.

A job's key is a sha256 over its **inputs**, every one named: each file of chapters/, guide/ and
styles/ (``chapters/02-anmeldung.md``), the job's own catalog, the font files the guide's font
stacks resolve to (``font:/usr/share/fonts/.../NotoSans-Regular.ttf``, with size and time: not
every font on the machine, so installing an unrelated font package rebuilds nothing), the code
(kkguide's own sources and the versions of WeasyPrint and friends), the edition and the
language. Keys are computed from input files, not from rendered HTML, so a no-op rebuild reads
files and renders nothing. Anything not in the key cannot affect the output; a changed input
changes the key, so a stale PDF is never served.

Each entry keeps its inputs, and ``index.json`` the last key of every job: on a miss,
``Cache.why`` compares the job's inputs with those of its last entry and names what changed.
``Cache.prune`` deletes the entries no current job can use.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping

from .frozen import FrozenMap
from .files import ProjectFiles
from .fsio import atomic_write

CACHE_DIR = ".kkguide-cache"
TIMINGS = "timings.json"
INDEX = "index.json"
CODE = "code"
_PACKAGE = Path(__file__).resolve().parent
_ENTRY = re.compile(r"^[0-9a-f]{64}\.(pdf|json)$")
# the generic family fontconfig falls back to when a named family is missing
FALLBACK_FAMILY = "sans-serif"


@dataclass(frozen=True)
class CachedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    coverage: Mapping[str, int | float]


@dataclass(frozen=True)
class Inputs:
    """What a job's PDF is made from: input name -> digest."""

    items: Mapping[str, str]

    @property
    def key(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.items):
            digest.update(f"{name}\0{self.items[name]}\0".encode())
        return digest.hexdigest()

    def changes(self, before: Mapping[str, str]) -> tuple[str, ...]:
        """What differs from ``before``, named: "changed: chapters/02-anmeldung.md", ..."""
        changed = sorted(n for n in self.items if n in before and before[n] != self.items[n])
        added = sorted(n for n in self.items if n not in before)
        removed = sorted(n for n in before if n not in self.items)
        return tuple([f"changed: {_shown(n)}" for n in changed] + [f"new: {_shown(n)}" for n in added]
                     + [f"removed: {_shown(n)}" for n in removed])


def _shown(name: str) -> str:
    return "kkguide code or library versions" if name == CODE else name


def source_digests(files: ProjectFiles) -> dict[str, str]:
    """The guide's own sources and data, file by file: chapters/, guide/ and styles/."""
    found = {}
    for folder in ("chapters", "guide", "styles"):
        for rel in files.listing(folder, "*", recursive=True):
            if not any(part.startswith(".") for part in rel.split("/")):
                found[rel] = hashlib.sha256(files.read_bytes(rel)).hexdigest()
    return found


def sources_digest(files: ProjectFiles) -> str:
    """One digest of ``source_digests`` (`kkguide watch` keeps a validated project while it holds)."""
    return Inputs(source_digests(files)).key


def font_files(families: Iterable[str]) -> dict[str, str]:
    """The font files fontconfig has for ``families`` (every style of each family) and the file
    of the generic fallback, each with size and modification time."""
    wanted = {f.lower() for f in families}
    try:
        listing = subprocess.run(["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True,
                                 text=True, check=True).stdout
        fallback = subprocess.run(["fc-match", "-f", "%{file}", FALLBACK_FAMILY], capture_output=True,
                                  text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"font:": "no fontconfig"}
    paths = {fallback} if fallback else set()
    for line in listing.splitlines():
        names, _, file = line.partition("\t")
        if file and wanted & {n.strip().lower() for n in names.split(",")}:
            paths.add(file)
    found = {}
    for name in sorted(paths):
        try:
            stat = Path(name).stat()
        except OSError:
            continue
        found[f"font:{name}"] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return found


def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    for dist in ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "markdown-it-py", "jinja2", "babel",
                 "pikepdf", "pillow"):
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=none".encode())
    return digest.digest()


def code_digest() -> str:
    return _code_fingerprint().hex()


def _all_fonts() -> bytes:
    """Every font file fontconfig knows, with size and time."""
    try:
        listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return b"no-fc-list"
    rows = []
    for name in sorted(set(listing.split("\n")) - {""}):
        try:
            stat = Path(name).stat()
        except OSError:
            continue
        rows.append(f"{name}\t{stat.st_size}\t{stat.st_mtime_ns}")
    return "\n".join(rows).encode()


def runtime_fingerprint() -> str:
    """What a running process has loaded and cannot reload: kkguide's code, library versions and
    the installed fonts (all of them: fontconfig's view of the machine is loaded once per
    process). `kkguide watch` stops when it changes instead of rendering with old code."""
    return hashlib.sha256(_code_fingerprint() + _all_fonts()).hexdigest()


def job_inputs(common: Mapping[str, str], files: ProjectFiles, catalog: str | None, edition: str,
               language: str) -> Inputs:
    """``common`` (sources, fonts, code) plus the job's own catalog, edition and language."""
    items = dict(common)
    items["edition"] = edition
    items["language"] = language
    if catalog is not None:
        found = files.is_file(catalog, "catalog")
        items[catalog] = hashlib.sha256(files.read_bytes(catalog, "catalog")).hexdigest() if found else "missing"
    return Inputs(FrozenMap(items))


class Cache:
    def __init__(self, out: Path):
        self.folder = out / CACHE_DIR

    def get(self, key: str) -> CachedPdf | None:
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        if not (pdf.is_file() and meta.is_file()):
            return None
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            data = pdf.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(info, dict) or "pages" not in info or "coverage" not in info:
            return None
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None  # a damaged entry is a miss, never a wrong PDF
        return CachedPdf(data, int(info["pages"]), tuple(info.get("warnings", ())), FrozenMap(info["coverage"]))

    def _read(self, name: str) -> dict:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def why(self, label: str, inputs: Inputs) -> tuple[str, ...]:
        """Why job ``label`` has no entry for ``inputs``: what changed since its last entry."""
        key = self._read(INDEX).get(label)
        if not isinstance(key, str):
            return ("not built before",)
        before = self._read(f"{key}.json").get("inputs") if _ENTRY.match(f"{key}.json") else None
        if not isinstance(before, dict):
            return ("not built before",)
        if before == dict(inputs.items):
            return ("cache entry missing or damaged",)
        return inputs.changes(before) or ("cache entry missing or damaged",)

    def timings(self) -> Mapping[str, float]:
        """Render seconds of each layout group ("ar/print+screen") in earlier builds, to schedule
        the longest first. Only the order of rendering depends on it, never a PDF's content."""
        data = self._read(TIMINGS)
        return FrozenMap({k: float(v) for k, v in data.items()
                          if isinstance(k, str) and isinstance(v, (int, float)) and v > 0})

    def record_timings(self, seconds: Mapping[str, float]) -> None:
        merged = {**self.timings(), **{k: round(v, 3) for k, v in seconds.items()}}
        atomic_write(self.folder / TIMINGS, (json.dumps(merged, indent=1, sort_keys=True) + "\n").encode())

    def put(self, entries: Mapping[str, tuple[Inputs, CachedPdf]]) -> None:
        """Store each job label's PDF under its inputs' key; the index remembers the label's key."""
        index = self._read(INDEX)
        for label, (inputs, entry) in entries.items():
            key = inputs.key
            atomic_write(self.folder / f"{key}.pdf", entry.data)
            meta = {"sha256": hashlib.sha256(entry.data).hexdigest(), "pages": entry.pages,
                    "warnings": list(entry.warnings), "coverage": dict(entry.coverage),
                    "job": label, "inputs": dict(inputs.items)}
            atomic_write(self.folder / f"{key}.json", json.dumps(meta).encode())
            index[label] = key
        if entries:
            atomic_write(self.folder / INDEX, (json.dumps(index, indent=1, sort_keys=True) + "\n").encode())

    def prune(self, keep: Iterable[str]) -> tuple[int, int]:
        """Delete the entries whose key is not in ``keep`` (the keys every job the guide can
        build has now). Returns (entries deleted, bytes freed)."""
        wanted = set(keep)
        removed, freed = set(), 0
        if not self.folder.is_dir():
            return 0, 0
        for path in self.folder.iterdir():
            if _ENTRY.match(path.name) and path.name.split(".")[0] not in wanted:
                try:
                    size = path.stat().st_size
                    path.unlink()
                except OSError:
                    continue
                removed.add(path.name.split(".")[0])
                freed += size
        if removed:
            index = {k: v for k, v in self._read(INDEX).items() if v not in removed}
            atomic_write(self.folder / INDEX, (json.dumps(index, indent=1, sort_keys=True) + "\n").encode())
        return len(removed), freed


def clean(out: Path) -> tuple[int, int]:
    """Delete the whole cache folder of ``out``: (files deleted, bytes freed)."""
    folder = out / CACHE_DIR
    if not folder.is_dir() or folder.is_symlink():
        return 0, 0
    count, freed = 0, 0
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
            continue
        freed += path.lstat().st_size
        path.unlink()
        count += 1
    folder.rmdir()
    return count, freed
