"""One writer per project: `.compose.lock` beside the manifest.

A build holds the lock from reading its inputs to its last rename, so a slow build that read an
older fragment cannot rename its outputs after a faster build that read the new one (both would
exit 0, the outputs stale). A second writer waits for the first rather than failing, and says so
when the wait is longer than a second. `compose check` writes nothing and takes no lock.

The lock is an advisory lock on the file (`flock`), released by the operating system when its
holder exits in any way, SIGKILL included: a lock file left behind never blocks anyone. On POSIX
this is `fcntl.flock` itself; elsewhere the `filelock` package, imported only there (it costs
about 20 ms of start-up, a third of a small project's whole build).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .inputfiles import LOCK_FILE

WAIT_NOTICE = 1.0  # seconds of waiting before compose says what it is waiting for


def _notice(root: Path) -> None:
    print(
        f"compose: waiting for another compose writing this project to finish (`{LOCK_FILE}` in {root})",
        file=sys.stderr,
        flush=True,
    )


@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's lock for the block (waiting for another holder as long as it takes).

    A folder where the lock file cannot be made (a read-only checkout) is not locked: nothing can
    be written there either, and a build that finds nothing to write must still succeed.
    """
    path = root / LOCK_FILE
    try:
        import fcntl
    except ImportError:  # Windows
        with _filelock(path, root):
            yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError:
        yield
        return
    try:
        if not _try(fcntl, fd):
            deadline = time.monotonic() + WAIT_NOTICE
            while time.monotonic() < deadline:
                time.sleep(0.01)
                if _try(fcntl, fd):
                    break
            else:
                _notice(root)
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _try(fcntl: object, fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def _filelock(path: Path, root: Path) -> Iterator[None]:
    import filelock

    lock = filelock.FileLock(str(path))
    try:
        try:
            lock.acquire(timeout=WAIT_NOTICE)
        except filelock.Timeout:
            _notice(root)
            lock.acquire()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        lock.release()
