"""Publishing a build as one consistent set: generations and one pointer switched atomically.

A reader of the output folder (a print shop's sync script, a web server) must never see a
manifest that disagrees with the files beside it, whatever moment a build is killed at. So a
build never changes a published file. It writes a complete new *generation* (every file of the
set, the manifest last), makes it durable, and then switches one symlink, ``current``, with a
single ``rename``. Files that did not change are hard links to the previous generation.

    dist/.kkguide-builds/000007/manifest.json, de/…pdf, ar/…pdf   one complete set
    dist/current -> .kkguide-builds/000007                         the one pointer
    dist/manifest.json -> current/manifest.json                    stable names, links that
    dist/de -> current/de                                          never change

Before the switch, readers see the old set; after it, the new one; a killed build leaves a
``.partial`` folder that the next build removes. The previous generation is kept, so a reader
that resolved ``current`` just before a switch can finish reading; older ones are pruned.
``step`` is called before each write step with its name, for tests that stop a build there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping, Sequence

from .fsio import write_error, make_folder

GENERATIONS = ".kkguide-builds"
CURRENT = "current"
MANIFEST = "manifest.json"
PARTIAL = ".partial"
KEEP = 2   # generations kept: the current one and the one before it


def current(out: Path) -> Path | None:
    """The folder of the published generation, or None before the first build."""
    link = out / CURRENT
    if not link.is_symlink():
        return None
    target = (out / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def published_file(out: Path, rel: str) -> bytes | None:
    base = current(out)
    if base is None:
        return None
    path = base / rel
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    make_folder(path.parent)
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _same(old: Path | None, data: bytes) -> bool:
    try:
        return old is not None and old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def _check_name(rel: str) -> None:
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or parts[0] in (CURRENT, GENERATIONS):
        raise ValueError(f"not a publishable name: {rel}")


def clean_partial(out: Path) -> None:
    """Remove what killed builds left: unfinished generations (call under the output lock)."""
    base = out / GENERATIONS
    if base.is_dir():
        for entry in base.iterdir():
            if entry.name.endswith(PARTIAL):
                shutil.rmtree(entry, ignore_errors=True)


def publish(out: Path, files: Mapping[str, bytes], carry: Sequence[str] = (),
            step: Callable[[str], None] = lambda name: None) -> Path:
    """Publish ``files`` (relative name -> bytes; ``manifest.json`` among them) and the files
    named in ``carry``, taken unchanged from the current generation, as the new set.
    Call under the output lock. Returns the new generation's folder."""
    for rel in [*files, *carry]:
        _check_name(rel)
    try:
        return _publish(out, files, tuple(carry), step)
    except OSError as exc:
        raise write_error(exc, out) from None


def _publish(out: Path, files: Mapping[str, bytes], carry: tuple[str, ...], step: Callable[[str], None]) -> Path:
    base = out / GENERATIONS
    make_folder(base)
    clean_partial(out)
    old = current(out)
    numbers = [int(p.name) for p in base.iterdir() if p.name.isdigit()]
    name = f"{max(numbers, default=0) + 1:06d}"
    partial = base / (name + PARTIAL)
    partial.mkdir()
    for rel in carry:
        step(f"carry {rel}")
        make_folder((partial / rel).parent)
        os.link(old / rel, partial / rel)  # type: ignore[operator]  (carry implies a generation)
    ordered = sorted(files, key=lambda rel: (rel == MANIFEST, rel))  # the manifest last
    for rel in ordered:
        step(f"write {rel}")
        target = partial / rel
        previous = old / rel if old is not None else None
        if _same(previous, files[rel]):
            make_folder(target.parent)
            os.link(previous, target)
        else:
            _write_new(target, files[rel])
    for folder in sorted({(partial / rel).parent for rel in [*files, *carry]}, key=lambda p: -len(p.parts)):
        _fsync_dir(folder)
    step("complete generation")
    final = base / name
    os.rename(partial, final)
    _fsync_dir(base)
    step("switch current")
    link = out / f".{CURRENT}.new"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(f"{GENERATIONS}/{name}", link)
    os.replace(link, out / CURRENT)
    _fsync_dir(out)
    step("stable names")
    tops = {PurePosixPath(rel).parts[0] for rel in [*files, *carry]}
    for top in sorted(tops):
        _stable_link(out, top)
    for entry in out.iterdir():  # links to what the new set no longer has
        if entry.is_symlink() and entry.name not in tops and os.readlink(entry) == f"{CURRENT}/{entry.name}":
            entry.unlink()
    step("prune")
    _prune(base, keep={final.name, old.name if old is not None else ""})
    return final


def _stable_link(out: Path, top: str) -> None:
    """``out/top`` -> ``current/top``: created once; a real file or folder left there by an
    earlier kkguide version (which wrote in place) is replaced."""
    path, wanted = out / top, f"{CURRENT}/{top}"
    if path.is_symlink():
        if os.readlink(path) == wanted:
            return
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    tmp = out / f".{top}.link"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(wanted, tmp)
    os.replace(tmp, path)


def _prune(base: Path, keep: set[str]) -> None:
    numbered = sorted((p for p in base.iterdir() if p.name.isdigit()), key=lambda p: p.name)
    for folder in numbered[:-KEEP]:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def verify(out: Path) -> list[str]:
    """What a reader would find wrong in the published set (empty: consistent). Used by tests
    and by ``kkguide status``-like checks: every manifest entry present with its size and
    sha256, and no file in the generation that the manifest does not list."""
    import hashlib
    import json

    base = current(out)
    if base is None:
        return [] if not (out / MANIFEST).exists() else ["manifest.json without a published generation"]
    problems = []
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"manifest.json unreadable: {exc}"]
    listed = set()
    for entry in manifest.get("artifacts", []):
        rel = entry["path"]
        listed.add(rel)
        path = out / rel
        if not path.is_file():
            problems.append(f"{rel}: listed, not on disk")
            continue
        data = path.read_bytes()
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{rel}: size or sha256 differs from manifest.json")
    on_disk = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{rel}: on disk, not in manifest.json" for rel in sorted(on_disk - listed)]
    return problems

