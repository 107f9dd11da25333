"""Outputs: write the planned files, safely (README "Outputs").

`plan.plan` says what each output should hold and what is on disk now; `apply` writes it. Writes
go to a temporary file in the same folder and are renamed into place, and only when the content
changed, so an unchanged output keeps its mtime.

A build with several files to write stages every temporary file first and renames them only once
all are on disk: a full disk or an unwritable folder leaves every output as it was. Whatever
interrupts a build (even SIGKILL), each output is either its old or its new version, whole; the
state file (`statefile.py`) is written ahead of the renames and accepts both checksums until the
build finishes, so an interrupted build is never mistaken for a hand edit. Temporary files carry
the writer's pid, so that a later build can remove those of a writer that died.

Nothing of the user's is lost on the way: each output is compared with what `plan` read once
everything is staged and again right before its rename (a save made meanwhile stops the build);
`--force` keeps the file it replaces under a backup name no other file has (`NAME.bak`,
`NAME.bak.1`, ...). Every write goes through a handle on the output's folder (`folders.py`),
opened from the manifest's folder one component at a time, so no symlink swapped in meanwhile
can send it outside the project.

The names the rest of the code reads about outputs are importable from here too: sealing
(`seal.py`), the plan (`plan.py`), the state file (`statefile.py`) and the folder handle.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path

from . import folders as _folders
from .backups import free_backup_path
from .diagnostics import ComposeError, Diagnostic
from .folders import Escape, Folder, atomic_write, current_umask, make_temp, open_folder, sweep
from .inputfiles import STATE_FILE
from .plan import (
    PlannedFile,
    backup_display,
    confine,
    display_beside,
    edited_diagnostic,
    file_on_path_error,
    outside_error,
    plan,
    read_current,
)
from .seal import BANNER_PREFIX, digest, seal, verify
from .statefile import next_state, read_state, write_state

__all__ = [
    "BANNER_PREFIX",
    "STATE_FILE",
    "Escape",
    "Folder",
    "PlannedFile",
    "apply",
    "atomic_write",
    "backup_display",
    "confine",
    "current_umask",
    "digest",
    "edited_diagnostic",
    "make_temp",
    "next_state",
    "open_folder",
    "plan",
    "read_current",
    "read_state",
    "seal",
    "verify",
    "write_state",
]


def apply(
    files: list[PlannedFile], force: bool, root: Path, wrote: dict[str, bytes] | None = None
) -> list[PlannedFile]:
    """Write (or delete) every changed file; returns those touched. Checks all before touching any.

    Every new text is staged in a temporary file before any output is replaced, so a failing
    write (full disk, read-only folder) changes nothing; the renames that follow cannot run out
    of space. Header-less outputs get their new checksums recorded ahead of the renames. Each
    output is checked against what `plan` read before the first rename and again right before
    its own: one saved meanwhile is left alone (exit 1, nothing lost). `wrote`, when given, gets
    the bytes of every output renamed into place or left as it was (and loses those removed), for
    `plan(wrote=)`.
    """
    edited = [f for f in files if f.hand_edited]
    if edited and not force:
        raise ComposeError([edited_diagnostic(f) for f in edited])
    changed = [f for f in files if f.changed]
    writing = _Writing(root, wrote)
    try:
        writing.write(files, changed)
        if wrote is not None:
            # An unchanged output holds the very bytes compose makes: as good as written.
            kept = [(str(f.path), f.unchanged_bytes) for f in files]
            wrote.update((path, data) for path, data in kept if data is not None)
        writing.sweep(files)
    finally:
        writing.close()
    return changed


def _parent(f: PlannedFile) -> str:
    return f.display.rpartition("/")[0]


class _Writing:
    """One build's writes: the output folders opened (by their POSIX path from the project), the
    temporary files staged, and the state file as it was before this build wrote to it."""

    def __init__(self, root: Path, wrote: dict[str, bytes] | None = None) -> None:
        self.root = root
        self.wrote = wrote
        self.folders: dict[str, Folder] = {}
        self.staged: list[tuple[str, PlannedFile]] = []  # (temporary file in the output's folder, output)
        self.previous: str | None = None
        self.taken: dict[str, set[str]] = {}  # backup names reserved in each folder
        self.second: list[tuple[Folder, str]] = []  # second names of the replaced files (`second_name`)

    def close(self) -> None:
        self.release()
        for folder in self.folders.values():
            folder.close()

    def release(self) -> None:
        """Free the replaced files: every output is in place (or the build failed)."""
        for folder, name in self.second:
            with contextlib.suppress(OSError):
                folder.unlink(name)
        self.second.clear()

    def folder(self, f: PlannedFile) -> Folder:
        rel = _parent(f)
        folder = self.folders.get(rel)
        if folder is None:
            try:
                folder = self.folders[rel] = open_folder(self.root, rel, create=not f.removal)
            except Escape as exc:
                real = os.path.join(exc.real, f.path.name)
                raise outside_error(f.display, real, os.path.realpath(self.root), f.at) from None
            except NotADirectoryError:
                raise file_on_path_error(f.display, f.at) from None
        return folder

    def write(self, files: list[PlannedFile], changed: list[PlannedFile]) -> None:
        try:
            self.stage(changed)
            self.check(changed)
            if changed:
                self.state_ahead(files, changed)
        except BaseException:  # a full disk, or Ctrl-C: no temporary file stays behind
            self.discard()
            raise
        self.replace(changed)
        self.release()
        try:
            write_state(self.root, files)
        except OSError as exc:
            raise _state_error(exc, changed, written=True) from None

    def stage(self, changed: list[PlannedFile]) -> None:
        # Each temporary file must be on disk before any rename (a power loss must not leave an
        # empty output). One fsync costs milliseconds: a folder output of thousands of files has
        # them synced together afterwards, by a few threads (`_sync`), rather than one by one.
        many = sum(1 for f in changed if not f.removal) >= _SYNC_TOGETHER
        for f in changed:
            try:
                folder = self.folder(f)
                if not f.removal:
                    text = f.text if f.encoded is None else f.encoded
                    self.staged.append((_folders.stage(f.path, text, folder, durable=not many), f))
            except OSError as exc:
                raise _write_error(f, exc) from None
        if many:
            failure = _sync([(self.folders[_parent(f)], tmp, f) for tmp, f in self.staged])
            if failure is not None:
                raise _write_error(failure[0], failure[1]) from None

    def check(self, changed: list[PlannedFile]) -> None:
        """Everything is on disk: one look at every output before the first rename, so that a file
        saved since `plan` read it stops the build while it has changed nothing.

        All but the first to be renamed: `replace_one` reads that one again anyway right before
        its rename, later than this look, and when it finds a save there nothing was renamed yet:
        the staged files are removed and the state put back, as here (a one-file output, what
        watch writes after an edit, is read once instead of twice)."""
        first = self.staged[0][1] if self.staged else None
        tmps = {id(f): tmp for tmp, f in self.staged}
        for f in changed:
            if f is first:
                continue
            try:
                same, _ = _as_planned(f, self.folders[_parent(f)], tmps.get(id(f)))
            except OSError as exc:
                raise _write_error(f, exc) from None
            if not same:
                raise _moved_on(f, "no output was changed")

    def state_ahead(self, files: list[PlannedFile], changed: list[PlannedFile]) -> None:
        try:
            self.previous = (self.root / STATE_FILE).read_text(encoding="utf-8")
        except (OSError, ValueError):
            self.previous = None
        try:
            write_state(self.root, files, ahead=True)
        except OSError as exc:
            raise _state_error(exc, changed) from None

    def discard(self, start: int = 0) -> None:
        for tmp, f in self.staged[start:]:
            with contextlib.suppress(OSError):
                self.folders[_parent(f)].unlink(tmp)

    def restore_state(self) -> None:
        path = self.root / STATE_FILE
        with contextlib.suppress(OSError):
            if self.previous is None:
                path.unlink(missing_ok=True)
            elif path.read_text(encoding="utf-8") != self.previous:
                atomic_write(path, self.previous)

    def replace(self, changed: list[PlannedFile]) -> None:
        """The renames (and removals), each output checked again right before its own.

        Rare failures (a rename refused, a file saved mid-way): the outputs renamed so far are
        whole new versions, the others whole old ones, and the state written ahead accepts both.
        When nothing was renamed yet, the state goes back to what it was: a failed build changes
        nothing."""
        order = [*(f for _, f in self.staged), *(f for f in changed if f.removal)]
        for replaced, f in enumerate(order):
            tmp = self.staged[replaced][0] if replaced < len(self.staged) else None
            failure = self.replace_one(f, tmp, _done(replaced))
            if failure is not None:
                self.discard(replaced)
                if replaced == 0:
                    self.restore_state()
                raise failure

    def replace_one(self, f: PlannedFile, tmp: str | None, done: str) -> ComposeError | None:
        folder = self.folders[_parent(f)]
        try:
            # Again right before this rename: the window left for a save to be lost is the
            # few microseconds between this look and the rename (no file system offers less).
            same, data = _as_planned(f, folder, tmp)
            if not same:
                return _moved_on(f, done)
            if f.hand_edited:
                f.backup = _back_up(f, folder, data, self.taken.setdefault(_parent(f), set()))
            if tmp is not None:
                if data is not None and len(data) >= _SECOND_NAME_FROM:
                    # Freed after the renames rather than by this one (the output shows sooner).
                    second = _folders.second_name(folder, f.path.name)
                    if second is not None:
                        self.second.append((folder, second))
                folder.replace(tmp, f.path.name)
            else:
                folder.unlink(f.path.name)
            self.remember(f)
        except OSError as exc:
            what = "remove" if f.removal else "write"
            message = f"cannot {what} `{f.display}`: {exc.strerror or exc}; {done}"
            return ComposeError(Diagnostic(message, f.where, code="E304"))
        return None

    def remember(self, f: PlannedFile) -> None:
        if self.wrote is None:
            return
        if f.removal:
            self.wrote.pop(str(f.path), None)
        else:
            self.wrote[str(f.path)] = f.encoded if f.encoded is not None else f.text.encode("utf-8")

    def sweep(self, files: list[PlannedFile]) -> None:
        """Remove what writers that died left in the folders of these outputs."""
        names: dict[str, set[str]] = {"": {STATE_FILE}}
        for f in files:
            names.setdefault(_parent(f), set()).add(f.path.name)
        for rel, owned in names.items():
            try:
                folder = self.folders.get(rel) or self.folders.setdefault(
                    rel, open_folder(self.root, rel, create=False)
                )
            except (OSError, Escape):
                continue
            sweep(folder, owned)


_SECOND_NAME_FROM = 1 << 20  # bytes of a replaced output from which it gets a second name
_SYNC_TOGETHER = 16  # staged files from which they are synced by threads
_SYNC_THREADS = 16  # enough for the file system to commit many syncs at once


def _sync(staged: list[tuple[Folder, str, PlannedFile]]) -> tuple[PlannedFile, OSError] | None:
    """fsync every staged temporary file, by a few threads; the first failure, in order."""
    import threading

    failures: dict[int, OSError] = {}

    def work(start: int) -> None:
        for i in range(start, len(staged), _SYNC_THREADS):
            folder, tmp, _ = staged[i]
            try:
                fd = folder.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                failures[i] = exc

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(_SYNC_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if not failures:
        return None
    first = min(failures)
    return staged[first][2], failures[first]


def _done(replaced: int) -> str:
    if replaced == 0:
        return "no output was changed"
    return "the outputs before it were written, the others were left as they were"


def _as_planned(f: PlannedFile, folder: Folder, tmp: str | None = None) -> tuple[bool, bytes | None]:
    """Is the output still what `plan` read? (and its bytes now). `tmp`: its staged replacement."""
    if tmp is not None and isinstance(f.on_disk, bytes) and _unmoved(f, folder, tmp):
        return True, f.on_disk
    try:
        data = folder.read(f.path.name)
    except IsADirectoryError:
        return False, None
    return f.as_planned(data), data


_SETTLED_NS = 1_000_000_000  # more than the timestamp granularity of any file system with sub-second times


def _unmoved(f: PlannedFile, folder: Folder, tmp: str) -> bool:
    """Is the output the file `plan` read, unchanged since, by its status alone (no read)?

    Any change of a file (a write, a truncation, `utime`, a rename over it: a new file) gives it
    a change time (ctime) of now, which userspace cannot set; the same status (inode, size,
    mtime, ctime) can only hide a change made within the same tick of the file system's clock as
    the last one. So the status is trusted only when that last change was more than a second
    before `plan` looked, by the clock of the output's own file system (that of the staged file,
    taken now, less the time since `plan` looked by this process's clock: no clock skew with a
    network drive), on POSIX (elsewhere `st_ctime` is the creation time), for times with
    sub-second digits (a file system that keeps whole seconds is read). The output's status is
    taken from an open file, which makes a network file system ask the server. Anything else
    reads the file, as before."""
    seen = f.status
    if seen is None or os.name != "posix" or seen.st_ctime_ns % 1_000_000_000 == 0:
        return False
    try:
        clock = folder.stat(tmp).st_ctime_ns
        elapsed = time.monotonic_ns() - f.looked
        fd = folder.open(f.path.name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            now = os.fstat(fd)
        finally:
            os.close(fd)
    except OSError:
        return False
    if clock - elapsed - seen.st_ctime_ns <= _SETTLED_NS:
        return False
    fields = ("st_dev", "st_ino", "st_mode", "st_size", "st_mtime_ns", "st_ctime_ns")
    return all(getattr(now, name) == getattr(seen, name) for name in fields)


def _back_up(f: PlannedFile, folder: Folder, data: bytes | None, taken: set[str]) -> str:
    """Keep the output about to be replaced under the first free `NAME.bak[.N]`; its display path.

    Never replaces a file: a hard link (the very bytes, and a save into the old file lands in
    the backup too) fails if the name was taken meanwhile; where links are not possible, a new
    file made with O_EXCL gets a copy.
    """
    for _ in range(1000):
        name = free_backup_path(f.path, taken).name
        taken.add(name)
        try:
            folder.link(f.path.name, name)
            return display_beside(f, name)
        except FileExistsError:
            continue
        except (OSError, NotImplementedError):
            pass
        if _copy_to(folder, name, data):
            return display_beside(f, name)
    raise FileExistsError(errno.EEXIST, "no free backup name", f.display)


def _copy_to(folder: Folder, name: str, data: bytes | None) -> bool:
    """Write `data` to the new file `name` (False: the name was taken meanwhile)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = folder.open(name, flags, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data or b"")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def _write_error(f: PlannedFile, exc: OSError, what: str = "write") -> ComposeError:
    done = "no output was changed" if what == "write" else "the other outputs were written"
    return ComposeError(
        Diagnostic(
            f"cannot {what} `{f.display}`: {exc.strerror or exc}; {done}",
            f.where,
            code="E304",
        )
    )


def _moved_on(f: PlannedFile, done: str) -> ComposeError:
    return ComposeError(
        Diagnostic(
            f"`{f.display}` changed on disk while compose was building (saved by an editor or "
            f"another tool?); it was not replaced, nothing is lost; {done}",
            f.where,
            code="E306",
            hint="run `compose build` again: it tells whether the change is a hand edit",
        )
    )


def _state_error(exc: OSError, changed: list[PlannedFile], written: bool = False) -> ComposeError:
    done = (
        "the outputs were written; the next build records their checksums"
        if written
        else "no output was changed"
    )
    where = changed[0].where if changed else None
    return ComposeError(
        Diagnostic(f"cannot write `{STATE_FILE}`: {exc.strerror or exc}; {done}", where, code="E304")
    )
