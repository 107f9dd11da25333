"""Replacing the user's own files (fragments, the manifest, Markdown) without ever losing one.

`compose split`, `init`, `format` and `graph --into` write files that people edit. They all go
through `write_all`, which works like `compose build` writes its outputs:

1. every new text is written to a temporary file in its final folder (missing folders are
   created) before anything is replaced, so a full disk, a read-only folder or a file where a
   folder must go fails here, and then every temporary file and new folder is removed again:
   nothing changed;
2. each file is read again just before the renames and compared with what the command read
   (`Change.expected`), the way an editor checks a file before saving over it: a save made
   meanwhile (an editor, `prisma db pull`) is never overwritten;
3. the temporary files are renamed into place (atomic on POSIX).

A symlink is written through: the file it points to is replaced, in that file's folder, and the
link stays a link (a fragment shared between projects by a symlink, as the README allows). A
file with several hard links is refused: a rename would cut it off from its other names, and
writing it in place would not be atomic. The mode of a replaced file is kept (and its owner,
when run as root).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import ComposeError, Diagnostic

UNCHECKED = object()  # `Change.expected` when the command does not care what is there now


@dataclass
class Change:
    path: Path  # as the user names it (may be a symlink)
    text: str | bytes
    display: str
    # What the file must still hold just before it is replaced: its bytes as the command read
    # them, None for a file that must still be absent, UNCHECKED for no check.
    expected: bytes | object | None = UNCHECKED

    @property
    def data(self) -> bytes:
        return self.text if isinstance(self.text, bytes) else self.text.encode("utf-8")


@dataclass
class Written:
    """What `write_all` did, enough to undo it (`undo`)."""

    written: list[Change] = field(default_factory=list)
    skipped: list[Change] = field(default_factory=list)  # changed on disk meanwhile: left alone
    _previous: list[tuple[Path, bytes | None]] = field(default_factory=list)
    _created: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        """Put back what was there before (best effort: used when a later step fails)."""
        for path, old in reversed(self._previous):
            with contextlib.suppress(OSError):
                if old is None:
                    path.unlink()
                else:
                    _replace(path, old)
        _remove_dirs(self._created)


def real_path(path: Path) -> Path:
    """The file a write of `path` replaces: the end of a symlink chain."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def write_all(changes: list[Change], *, all_or_nothing: bool = True, code: str = "E304") -> Written:
    """Write every change as described in the module docstring. Raises ComposeError (nothing
    changed) when a file cannot be written, or, with `all_or_nothing`, when one changed on disk
    since it was read; otherwise such files are skipped and listed in `Written.skipped`."""
    done = Written()
    staged: list[tuple[str, Path, Change]] = []
    try:
        for change in changes:
            staged.append(_stage(change, done, code))
        ready = _still_as_read(staged, done, all_or_nothing, code)
    except BaseException:
        for tmp, _, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _remove_dirs(done._created)
        raise
    for i, (tmp, final, change, current) in enumerate(ready):
        try:
            os.replace(tmp, final)
        except OSError as exc:
            for rest in ready[i:]:
                with contextlib.suppress(OSError):
                    os.unlink(rest[0])
            done.undo()
            raise _error(change, final, exc, code) from None
        done._previous.append((final, current))
        done.written.append(change)
    return done


def _stage(change: Change, done: Written, code: str) -> tuple[str, Path, Change]:
    """Step 1: the change's text in a temporary file beside the file it replaces (its name, that
    file, the change); a temporary file made is removed again if the write fails."""
    from .folders import make_temp

    final = _target(change, code)
    try:
        done._created.extend(_make_parents(final.parent))
        fd, name = make_temp(final)  # a name in `final`'s folder
        tmp = os.path.join(final.parent, name)
    except OSError as exc:
        raise _error(change, final, exc, code) from None
    try:
        _fill(fd, tmp, final, change.data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _error(change, final, exc, code) from None
    return tmp, final, change


def _still_as_read(
    staged: list[tuple[str, Path, Change]], done: Written, all_or_nothing: bool, code: str
) -> list[tuple[str, Path, Change, bytes | None]]:
    """Step 2: the staged changes whose file still holds what the command read (with what it
    holds); the others refused (`all_or_nothing`) or skipped."""
    ready: list[tuple[str, Path, Change, bytes | None]] = []
    for tmp, final, change in staged:
        current = _read_or_none(final)
        if change.expected is not UNCHECKED and current != change.expected:
            if all_or_nothing:
                raise ComposeError(_changed(change, code))
            os.unlink(tmp)
            done.skipped.append(change)
            continue
        ready.append((tmp, final, change, current))
    return ready


def _target(change: Change, code: str) -> Path:
    final = real_path(change.path)
    if final.is_dir():
        raise ComposeError(
            Diagnostic(
                f"cannot write `{change.display}`: it is a folder; nothing was written", None, code=code
            )
        )
    try:
        links = os.stat(final).st_nlink
    except OSError:
        return final
    if links > 1 and final.is_file():
        raise ComposeError(
            Diagnostic(
                f"`{change.display}` has {links} hard links: replacing it would cut it off from the "
                "others, and writing it in place is not safe; it was left as it is, nothing was written",
                None,
                code=code,
                hint="share a file with a symlink instead: compose writes through symlinks",
            )
        )
    return final


def _fill(fd: int, tmp: str, final: Path, data: bytes) -> None:
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        st = os.stat(final)
    except FileNotFoundError:
        from .folders import current_umask

        os.chmod(tmp, 0o666 & ~current_umask())
        return
    os.chmod(tmp, st.st_mode & 0o7777)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(tmp, st.st_uid, st.st_gid)


def _replace(path: Path, data: bytes) -> None:
    from .folders import make_temp

    fd, name = make_temp(path)
    tmp = os.path.join(path.parent, name)
    try:
        _fill(fd, tmp, path, data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones created, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and not folder.is_symlink():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            os.mkdir(path)
            created.append(path)
    except OSError:
        _remove_dirs(created)
        raise
    return created


def _remove_dirs(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            os.rmdir(path)
    created.clear()


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return b""  # unreadable now: never equal to what was read before


def _in_the_way(final: Path) -> Path | None:
    """The nearest existing ancestor of `final` that is not a folder (a file in the way)."""
    for parent in final.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _error(change: Change, final: Path, exc: OSError, code: str) -> ComposeError:
    blocker = _in_the_way(final) if isinstance(exc, (NotADirectoryError, FileExistsError)) else None
    if blocker is not None:
        shown = _shown(change, final, blocker)
        reason = f"`{shown}` is a file, where a folder must go"
    else:
        reason = exc.strerror or str(exc)
    return ComposeError(
        Diagnostic(f"cannot write `{change.display}`: {reason}; nothing was written", None, code=code)
    )


def _shown(change: Change, final: Path, blocker: Path) -> str:
    """`blocker` the way the user names things: relative to the displayed path when possible."""
    try:
        depth = len(final.relative_to(blocker).parts)
    except ValueError:
        return blocker.as_posix()
    parts = Path(change.display).parts
    return Path(*parts[: len(parts) - depth]).as_posix() if depth < len(parts) else blocker.as_posix()


def _changed(change: Change, code: str) -> list[Diagnostic]:
    return [
        Diagnostic(
            f"`{change.display}` changed on disk while compose was working on it; it was left as it "
            "is (with your change), nothing was written",
            None,
            code=code,
            hint="run the command again",
        )
    ]
