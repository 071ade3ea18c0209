"""Content-addressed cache of finished PDFs, kept in ``<out>/.kkguide-cache/``.

A job's key is a sha256 over everything that can change its PDF: the chapter sources, the
guide's data and images (all of guide/), templates, CSS and fonts of styles/, the job's own
catalog, the installed fonts fontconfig can choose from, the edition, and the code (kkguide's
own sources and the versions of WeasyPrint, pydyf, Pango and HarfBuzz bindings). Keys are
computed from input files, not from rendered HTML, so a no-op rebuild reads files and
renders nothing. Anything not in the key cannot affect the output; a changed input changes
the key, so a stale PDF is never served.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Mapping

from .frozen import FrozenMap
from .files import ProjectFiles
from .fsio import atomic_write

CACHE_DIR = ".kkguide-cache"
TIMINGS = "timings.json"
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CachedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    coverage: Mapping[str, int | float]


def _hash_files(digest, files: ProjectFiles, folders: tuple[str, ...]) -> None:
    for folder in folders:
        for rel in files.listing(folder, "*", recursive=True):
            if not any(part.startswith(".") for part in rel.split("/")):
                digest.update(rel.encode() + b"\0")
                digest.update(hashlib.sha256(files.read_bytes(rel)).digest())


def _fonts_fingerprint() -> bytes:
    """Every font file fontconfig knows, with size and time: a font update changes the key."""
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


def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    for dist in ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "markdown-it-py", "jinja2", "babel"):
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=none".encode())
    return digest.digest()


def runtime_fingerprint() -> str:
    """What a running process has loaded and cannot reload: kkguide's code, library versions and
    the installed fonts. `kkguide watch` stops when it changes instead of rendering with old code."""
    return hashlib.sha256(_code_fingerprint() + _fonts_fingerprint()).hexdigest()


def sources_digest(files: ProjectFiles) -> str:
    """The guide's own sources and data: chapters/, guide/ and styles/ (catalogs are per job)."""
    digest = hashlib.sha256()
    _hash_files(digest, files, ("chapters", "guide", "styles"))
    return digest.hexdigest()


def common_digest(sources: str, runtime: str | None = None) -> str:
    """What every job of a build shares: ``sources_digest``, fonts and code (``runtime``, when the
    caller has just computed it)."""
    return hashlib.sha256(f"{sources}\0{runtime or runtime_fingerprint()}".encode()).hexdigest()


def job_key(common: str, files: ProjectFiles, catalog: str | None, edition: str, language: str) -> str:
    digest = hashlib.sha256(f"{common}\0{edition}\0{language}\0".encode())
    if catalog is not None:
        digest.update(files.read_bytes(catalog, "catalog") if files.is_file(catalog, "catalog") else b"missing")
    return digest.hexdigest()


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

    def timings(self) -> Mapping[str, float]:
        """Render seconds of each job label ("ar/screen") in earlier builds, to schedule the
        longest first. Only the order of rendering depends on it, never a PDF's content."""
        try:
            data = json.loads((self.folder / TIMINGS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return FrozenMap({})
        if not isinstance(data, dict):
            return FrozenMap({})
        return FrozenMap({k: float(v) for k, v in data.items()
                          if isinstance(k, str) and isinstance(v, (int, float)) and v > 0})

    def record_timings(self, seconds: Mapping[str, float]) -> None:
        merged = {**self.timings(), **{k: round(v, 3) for k, v in seconds.items()}}
        atomic_write(self.folder / TIMINGS, (json.dumps(merged, indent=1, sort_keys=True) + "\n").encode())

    def put(self, key: str, entry: CachedPdf) -> None:
        atomic_write(self.folder / f"{key}.pdf", entry.data)
        meta = {"sha256": hashlib.sha256(entry.data).hexdigest(), "pages": entry.pages,
                "warnings": list(entry.warnings), "coverage": dict(entry.coverage)}
        atomic_write(self.folder / f"{key}.json", json.dumps(meta).encode())
