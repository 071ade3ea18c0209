"""`kkguide watch`: warm workers rebuild what a save affects, never a stale PDF, and survive errors."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kkguide import watch as watch_module
from kkguide.build import Warm, build, make_pool
from kkguide.cache import runtime_fingerprint
from kkguide.errors import KkguideError
from kkguide.watch import WatchOptions, _cycle, changes, snapshot, watch

from conftest import tool
from test_engine import CHANGES, PDF, _rendered


@pytest.fixture(scope="module")
def pool():
    """One warm worker for the whole module: each test gets a fresh Warm around it."""
    executor = make_pool(1)
    yield executor
    executor.shutdown()


def test_snapshot_sees_added_changed_and_removed_files_but_not_editor_temporaries(mini):
    before = snapshot(mini)
    assert "chapters/01-anmelden.md" in before and "guide/guide.yml" in before
    (mini / "chapters/.01-anmelden.md.swp").write_text("x")
    (mini / "chapters/01-anmelden.md~").write_text("x")
    (mini / "translations/ar/LC_MESSAGES/#guide.po#").write_text("x")
    assert changes(before, snapshot(mini)) == ()
    chapter = mini / "chapters/01-anmelden.md"
    chapter.write_text(chapter.read_text() + "\nNeu.\n")
    (mini / "guide/images/neu.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (mini / "chapters/02-notruf.md").unlink()
    assert changes(before, snapshot(mini)) == (
        "chapters/01-anmelden.md", "chapters/02-notruf.md", "guide/images/neu.svg")


@pytest.mark.parametrize("kind", CHANGES)
def test_warm_build_rebuilds_what_each_input_kind_affects(mini, pool, kind):
    """The project kept between warm builds is never reused for changed sources."""
    out = mini / "dist"
    warm = Warm(pool, 1, runtime_fingerprint())
    before = build(mini, out, warm=warm)
    assert _rendered(before) == {"de", "ar"}
    change, expected = CHANGES[kind]
    change(mini)
    after = build(mini, out, warm=warm)
    assert _rendered(after) == expected
    cold = build(mini, mini / "cold", workers=1, force=True)  # a fresh serial build of the same sources
    for result in after.results:
        assert (out / result.artifact.path).read_bytes() == (mini / "cold" / result.artifact.path).read_bytes()
    assert [r.artifact for r in after.results] == [r.artifact for r in cold.results]


def test_warm_build_renders_a_single_job_in_the_worker(mini, pool, monkeypatch):
    warm = Warm(pool, 1, runtime_fingerprint())
    build(mini, mini / "dist", warm=warm)
    (mini / "translations/ar/LC_MESSAGES/guide.po").write_text(
        (mini / "translations/ar/LC_MESSAGES/guide.po").read_text().replace("دليل صغير", "دليل جديد"))

    def not_here(*args, **kwargs):
        raise AssertionError("rendered in the parent process")
    monkeypatch.setattr("kkguide.build.render_group", not_here)  # the worker has its own, unpatched copy
    report = build(mini, mini / "dist", warm=warm)
    assert _rendered(report) == {"ar"}
    assert "دليل جديد" in tool("pdftotext", str(mini / "dist" / PDF["ar"]), "-")


def test_watch_goes_on_after_an_error_and_stops_when_the_code_changes(mini, monkeypatch):
    """In-process: a broken guide.yml is one reported error and nothing written; fixing it
    rebuilds; a changed kkguide or font set ends the watch instead of rendering with old code."""
    guide = mini / "guide/guide.yml"
    good = guide.read_text()
    fingerprints = iter(["same"] * 4 + ["new code"])
    monkeypatch.setattr(watch_module, "runtime_fingerprint", lambda: next(fingerprints))
    cycles = []

    def on_cycle(cycle):
        cycles.append(cycle)
        if len(cycles) == 1:
            guide.write_text(good.replace("stand: 2026-01-15", "stand: [kaputt"))
        elif len(cycles) == 2:
            guide.write_text(good.replace("2026-01-15", "2026-02-01"))
        else:  # a further save: the check before that rebuild sees the new code
            (mini / "chapters/02-notruf.md").write_text((mini / "chapters/02-notruf.md").read_text() + "\nNeu.\n")

    deadline = time.monotonic() + 120  # a failing test must not hang the suite
    with pytest.raises(KkguideError, match="changed while watching"):
        watch(mini, mini / "dist", WatchOptions(workers=1, interval=0.05), on_cycle,
              keep_going=lambda: time.monotonic() < deadline)
    first, broken, fixed = cycles
    assert _rendered(first.report) == {"de", "ar"} and first.changed == ()
    assert broken.changed == ("guide/guide.yml",) and broken.report is None
    assert re.match(r"guide/guide\.yml:[56]: invalid YAML", broken.error.format_message())
    assert _rendered(fixed.report) == {"de", "ar"}
    assert "Stand: 1. Februar 2026" in tool("pdftotext", str(mini / "dist" / PDF["de"]), "-")


def _lines(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line.rstrip("\n"))


def _wait_for(lines: queue.Queue, prefix: str, seen: list[str], timeout: float = 60) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting {prefix!r} within {timeout} s; got:\n" + "\n".join(seen))


def _default_sigint() -> None:
    """As in a terminal: a suite started in the background inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_watch_command_rebuilds_one_language_on_save_and_stops_cleanly(mini, stop):
    proc = subprocess.Popen([sys.executable, "-m", "kkguide.cli", "watch", "-C", str(mini), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=_default_sigint)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        assert _wait_for(lines, "built ", seen).startswith("built 2, reused 0")
        _wait_for(lines, "watching ", seen)
        de_before = (mini / "dist" / PDF["de"]).read_bytes()
        po = mini / "translations/ar/LC_MESSAGES/guide.po"
        po.write_text(po.read_text().replace("دليل صغير", "دليل جديد"))
        assert _wait_for(lines, "changed: ", seen) == "changed: translations/ar/LC_MESSAGES/guide.po"
        assert _wait_for(lines, "built ", seen).startswith("built 1, reused 1")
        assert "دليل جديد" in tool("pdftotext", str(mini / "dist" / PDF["ar"]), "-")
        assert (mini / "dist" / PDF["de"]).read_bytes() == de_before
        _wait_for(lines, "watching ", seen)
        workers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert workers  # the warm pool (and multiprocessing's resource tracker)
        proc.send_signal(stop)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert "stopped" in rest and not any("Traceback" in line for line in seen + rest)
    assert not _running(workers), "a worker outlived kkguide watch"


def _running(pids: list[str], wait: float = 5) -> list[str]:
    """Those of ``pids`` still running (not a zombie waiting to be reaped) after ``wait`` seconds."""
    end = time.monotonic() + wait
    while True:
        alive = []
        for pid in pids:
            try:
                state = re.search(r"State:\s+(\w)", Path(f"/proc/{pid}/status").read_text()).group(1)
            except OSError:
                continue
            if state not in "ZX":
                alive.append(pid)
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.1)


def test_a_killed_worker_is_one_reported_error_and_fresh_workers_take_over(mini):
    warm = Warm(make_pool(1), 1, runtime_fingerprint())
    options = WatchOptions(workers=1)
    try:
        worker = warm.pool.submit(os.getpid).result()
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        time.sleep(0.5)
        warm, cycle = _cycle(mini, mini / "dist", options, warm, ("chapters/01-anmelden.md",),
                             lambda job: None, lambda message: None)
        assert cycle.report is None and "a worker process died" in cycle.error.format_message()
        assert not (mini / "dist" / PDF["de"]).exists()  # nothing written for the failed build
        warm, cycle = _cycle(mini, mini / "dist", options, warm, ("chapters/01-anmelden.md",),
                             lambda job: None, lambda message: None)
        assert cycle.error is None and _rendered(cycle.report) == {"de", "ar"}
    finally:
        warm.pool.shutdown()
