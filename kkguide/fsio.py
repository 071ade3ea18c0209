"""Atomic file writes (a temp file in the target folder, then os.replace) and the output lock."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import KkguideError


def write_error(exc: OSError, path: Path) -> KkguideError:
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return KkguideError("cannot write: a file stands where a folder is needed", exc.filename or path)
    return KkguideError(f"cannot write: {exc.strerror or exc}", exc.filename or path)


def check_output(folder: Path) -> None:
    """Before any work: ``folder`` can become an output folder (it, or its nearest existing
    ancestor, is a writable folder). Nothing is created here."""
    probe = folder.absolute()
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise KkguideError("cannot write: a file stands where a folder is needed", probe)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise KkguideError("cannot write: the folder is not writable", probe)


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc, folder) from None
    if not folder.is_dir():
        raise KkguideError("cannot write: a file stands where a folder is needed", folder)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.
    Filesystem problems (read-only folder, a file where a folder should be, disk full) are one
    located error."""
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(exc, path.parent) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise write_error(exc, path) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


LOCK_NAME = ".kkguide.lock"


@contextmanager
def output_lock(folder: Path, notify: Callable[[str], None] = lambda message: None,
                timeout: float = 900.0) -> Iterator[None]:
    """Exclusive right to write into ``folder``: a second build waits here, then goes on.

    Under the lock, temp files that a killed build left behind are removed first.
    """
    make_folder(folder)
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_error(exc, folder / LOCK_NAME) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            notify(f"waiting: another kkguide build is writing to {folder}/")
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise KkguideError(f"another kkguide build has been writing for {timeout:.0f} s; "
                                           "not writing at the same time", str(folder)) from None
                    time.sleep(0.2)
        for stale in folder.rglob(".*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)
