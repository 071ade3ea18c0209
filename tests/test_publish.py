"""A build's files are one consistent set: killed at every write step, the output folder shows the
old set or the new one, and its manifest always matches the files on disk (issue 11)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import make_project
from kkguide.publish import CURRENT, GENERATIONS, current, publish, verify

KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from kkguide.build import build

    root, out, target = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    steps = []

    def step(name):
        steps.append(name)
        print(name, flush=True)
        if len(steps) == target:
            os.kill(os.getpid(), signal.SIGKILL)

    build(root, out, workers=1, step=step)
""")


def _published_set(out: Path) -> dict[str, str]:
    """What a reader of out/ sees: manifest.json and every file it lists, by sha256."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    found = {"manifest.json": hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()}
    for entry in manifest["artifacts"]:
        found[entry["path"]] = hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest()
    return found


def _run_until(root: Path, out: Path, target: int) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), str(out), str(target)],
                          capture_output=True, text=True, timeout=120)
    return proc.stdout.split()


def test_a_build_killed_at_every_write_step_leaves_one_consistent_set(tmp_path):
    root = make_project(tmp_path / "p")
    out = root / "dist"
    assert _run_until(root, out, 0) is not None and verify(out) == []
    old = _published_set(out)
    chapter = root / "chapters/02-notruf.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    # render the new set once elsewhere and lend its cache, so that each killed run only publishes
    _run_until(root, tmp_path / "ref", 0)
    new = _published_set(tmp_path / "ref")
    assert new != old
    shutil.copytree(tmp_path / "ref/.kkguide-cache", out / ".kkguide-cache", dirs_exist_ok=True)

    steps = _run_until(root, tmp_path / "count", 0)  # a fresh folder: every step, none killed
    assert len(steps) >= 6, steps
    for target in range(1, len(steps) + 1):
        done = _run_until(root, out, target)
        assert verify(out) == [], (target, done)
        seen = _published_set(out)
        assert seen in (old, new), f"killed at step {target} ({done[-1] if done else '-'}): a mixed set"
        if seen == new:  # switched: go back to the old set for the next kill, by building it again
            chapter.write_text(chapter.read_text(encoding="utf-8").replace("\nEin neuer Absatz.\n", ""),
                               encoding="utf-8")
            _run_until(root, out, 0)
            assert _published_set(out) == old
            chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    _run_until(root, out, 0)
    assert _published_set(out) == new and verify(out) == []
    generations = [p for p in (out / GENERATIONS).iterdir()]
    assert not [p for p in generations if p.name.endswith(".partial")], "a killed build's half generation is left"
    assert len([p for p in generations if p.name.isdigit()]) <= 2


def test_publish_keeps_unchanged_files_as_links_and_prunes_old_generations(tmp_path):
    out = tmp_path / "out"
    publish(out, {"a/x.pdf": b"1", "manifest.json": b"{}"})
    first = current(out)
    publish(out, {"a/x.pdf": b"1", "b/y.pdf": b"2", "manifest.json": b"{\n}"})
    second = current(out)
    assert (first / "a/x.pdf").stat().st_ino == (second / "a/x.pdf").stat().st_ino
    publish(out, {"a/x.pdf": b"3", "manifest.json": b"{ }"})
    assert not first.exists() and second.exists()  # the one before current stays for slow readers
    assert (out / "a/x.pdf").read_bytes() == b"3"
    assert not (out / "b").exists() and not (out / "b").is_symlink()
    assert (out / CURRENT).is_symlink()
    with pytest.raises(ValueError):
        publish(out, {"../escape.pdf": b"x", "manifest.json": b"{}"})


def test_an_old_output_folder_written_in_place_is_taken_over(tmp_path):
    out = tmp_path / "out"
    (out / "de").mkdir(parents=True)
    (out / "de/old.pdf").write_bytes(b"old")
    (out / "manifest.json").write_text("{}")
    (out / "web").mkdir()
    publish(out, {"de/new.pdf": b"new", "manifest.json": b'{"artifacts": []}'})
    assert (out / "de").is_symlink() and (out / "de/new.pdf").read_bytes() == b"new"
    assert not (out / "de/old.pdf").exists()
    assert (out / "web").is_dir() and not (out / "web").is_symlink()  # not ours to replace
