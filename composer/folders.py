"""Writing files in a folder safely: the confined folder handle, temporary files, atomic writes.

Writes into an output folder are named relative to a handle on it (`dir_fd`), obtained by
walking from the manifest's folder one component at a time without following symlinks blindly
(`open_folder`): a folder swapped for a symlink after `plan.confine` checked it cannot redirect a
write outside the project. Without `dir_fd` (Windows) the paths are used, checked by `confine`.

A new text goes to a temporary file `.<name>.<pid>.<random>.tmp` beside its target (`stage`,
`make_temp`) and is renamed over it (`atomic_write`), so a reader sees the old or the new file,
whole; the pid lets a later build remove the temporary files of a writer that died (`sweep`).

Standard library only: the nothing-changed fast path (stamp.py) writes its stamp with
`atomic_write`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from .inputfiles import temp_owner

_DIR_FD = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
_MAX_HOPS = 40  # symbolic links (and folders made) on the way, as the kernel's ELOOP limit


class Folder:
    """An output folder: `path` to name it, `fd` (None without dir_fd) to write in it."""

    __slots__ = ("fd", "path")

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    def at(self, name: str) -> str:
        return name if self.fd is not None else os.path.join(self.path, name)

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        return os.open(self.at(name), flags | _CLOEXEC, mode, dir_fd=self.fd)

    def read(self, name: str) -> bytes | None:
        """The file's bytes (None: missing). Follows a symlink inside the folder, as `plan` did."""
        try:
            fd = self.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return None
        try:
            # Plain reads of the size the file has (a file object reads a large file in growing
            # chunks: three times as long for an output of 20 MiB).
            size = os.fstat(fd).st_size
            chunks = []
            while chunk := os.read(fd, max(size + 1, 1 << 16)):
                chunks.append(chunk)
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(fd)

    def stat(self, name: str) -> os.stat_result:
        return os.stat(self.at(name), dir_fd=self.fd)

    def replace(self, src: str, dst: str) -> None:
        os.replace(self.at(src), self.at(dst), src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def link(self, src: str, dst: str) -> None:
        """A hard link: fails with FileExistsError rather than replace `dst`."""
        os.link(self.at(src), self.at(dst), src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)

    def unlink(self, name: str) -> None:
        os.unlink(self.at(name), dir_fd=self.fd)

    def chmod(self, name: str, mode: int) -> None:
        os.chmod(self.at(name), mode, dir_fd=self.fd)

    def listdir(self) -> list[str]:
        return os.listdir(self.fd if self.fd is not None else self.path)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Escape(Exception):
    """A symlink on the way to an output folder leads out of the project, to `real`."""

    def __init__(self, real: str) -> None:
        super().__init__(real)
        self.real = real


def open_folder(root: Path, rel: str, create: bool) -> Folder:
    """The folder `rel` (POSIX, relative to `root`), made when `create`; raises OSError, or
    `Escape` when a symlink on the way leads out of `root`. Symlinks inside the project are
    followed, as `confine` allows them: each is read and resolved by hand against the folders
    walked so far, which were opened without following anything."""
    path = root / rel
    if not _DIR_FD:
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return Folder(path, None)
    walk = _Walk(root, rel, create)
    try:
        return Folder(path, walk.run())
    except BaseException:
        walk.close()
        raise


class _Walk:
    """`open_folder`'s walk: `fd` is open on the last of the real folders `done` below `root`,
    `todo` the components still to walk (a symlink's target is put in front of them)."""

    def __init__(self, root: Path, rel: str, create: bool) -> None:
        self.root = root
        self.rel = rel
        self.create = create
        self.todo = [p for p in rel.split("/") if p not in ("", ".")]
        self.done: list[str] = []
        self.hops = 0
        self.fd = os.open(root, _DIR_FLAGS)  # the manifest's folder itself is trusted as it is

    def run(self) -> int:
        while self.todo:
            part = self.todo.pop(0)
            if part == "..":
                self.up()
            elif part not in ("", "."):
                self.enter(part)
        return self.fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def restart(self, todo: list[str]) -> None:
        """From the manifest's folder again, with `todo` left to walk."""
        self.close()
        self.fd = os.open(self.root, _DIR_FLAGS)
        self.todo = todo
        self.done = []

    def up(self) -> None:
        if not self.done:
            raise Escape(os.path.normpath(os.path.join(os.path.realpath(self.root), "..")))
        self.restart(self.done[:-1] + self.todo)

    def hop(self) -> bool:
        """Count one more symlink or folder made; True when there were too many."""
        self.hops += 1
        return self.hops > _MAX_HOPS

    def enter(self, part: str) -> None:
        try:
            inner = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=self.fd)
        except FileNotFoundError as exc:
            self.make(part, exc)
        except OSError as exc:
            self.follow(part, exc)
        else:
            self.close()
            self.fd = inner
            self.done.append(part)

    def make(self, part: str, exc: FileNotFoundError) -> None:
        if not self.create or self.hop():
            raise exc
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, 0o777, dir_fd=self.fd)
        self.todo.insert(0, part)

    def follow(self, part: str, exc: OSError) -> None:
        try:
            target = os.readlink(part, dir_fd=self.fd)
        except OSError:
            raise exc from None  # not a symlink: a file on the way, no permission...
        if self.hop():
            raise OSError(errno.ELOOP, "too many levels of symbolic links", self.rel) from None
        if not os.path.isabs(target):
            self.todo = [*target.replace(os.sep, "/").split("/"), *self.todo]
            return
        inside = self.inside(os.path.normpath(target))
        self.restart([*(p for p in inside.split(os.sep) if p != "."), *self.todo])

    def inside(self, real: str) -> str:
        """`real` relative to the project (by its real path or the one it was reached by)."""
        for base in (os.path.realpath(self.root), os.path.abspath(self.root)):
            if os.path.commonpath([base, real]) == base:
                return os.path.relpath(real, base)
        raise Escape(real) from None


# -- temporary files and atomic writes ------------------------------------------------------------


def stage(
    path: Path, text: str | bytes | bytearray, folder: Folder | None = None, durable: bool = True
) -> str:
    """Write `text` (or its UTF-8 bytes) to a new temporary file beside `path` (synced unless not
    `durable`, with `path`'s mode); its name (relative to `folder` when given, else a full path)."""
    by_path = folder is None
    if folder is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = Folder(path.parent, None)
    fd, tmp = make_temp(path, folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            # Encoded a MiB at a time: at 10,000 fragments the whole output at once would be tens
            # of MiB beside the text, the build's peak.
            if isinstance(text, str):
                for at in range(0, len(text), 1 << 20):
                    fh.write(text[at : at + (1 << 20)].encode("utf-8"))
            else:
                fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        try:
            mode = folder.stat(path.name).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~current_umask()
        folder.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            folder.unlink(tmp)
        raise
    return folder.at(tmp) if by_path else tmp


def make_temp(path: Path, folder: Folder | None = None) -> tuple[int, str]:
    """A new file `.<name>.<pid>.<random>.tmp` beside `path`, open for writing (as `mkstemp`
    makes it, without importing `tempfile`, which costs more at start-up than the whole write);
    its name in `folder` (by default `path`'s folder)."""
    folder = folder or Folder(path.parent, None)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = _temp_name(path.name)
        try:
            return folder.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _temp_name(name: str) -> str:
    return f".{name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"


def second_name(folder: Folder, name: str) -> str | None:
    """A new temporary name in `folder` for the file `name` (a hard link), None where links
    cannot be made. A file renamed over a file with a second name leaves its blocks in place:
    the rename does not free them (5 ms for 20 MiB on ext4), the unlink of the second name
    after the renames does. Named as a temporary file, it is swept if its writer dies first."""
    if os.name != "posix":
        return None
    for _ in range(100):
        kept = _temp_name(name)
        try:
            folder.link(name, kept)
            return kept
        except FileExistsError:
            continue
        except (OSError, NotImplementedError):
            return None
    return None


def atomic_write(path: Path, text: str, durable: bool = True) -> None:
    """Replace `path` with `text` (folders made as needed): its old or its new version, whole.
    Not `durable`: not synced to disk first (a cache, which a power loss may lose)."""
    tmp = stage(path, text, durable=durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def alive(pid: int) -> bool:
    """Might process `pid` still be writing? (When in doubt: yes.)"""
    if pid == os.getpid() or sys.platform == "win32":  # os.kill on Windows would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: alive
        return True
    return True


def sweep(folder: Folder, names: set[str]) -> None:
    """Remove the temporary files that writers which died (SIGKILL, power loss) left behind.

    `names` are the files compose writes in `folder`; only temporary files of those names (or of
    their backups, which older versions staged) whose writer's process is gone are removed, so a
    concurrent build is safe.
    """
    try:
        entries = folder.listdir()
    except OSError:
        return
    for entry in entries:
        owner = temp_owner(entry)
        if owner is not None and owner[0] in names and not alive(owner[1]):
            with contextlib.suppress(OSError):
                folder.unlink(entry)
