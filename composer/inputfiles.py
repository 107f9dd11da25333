"""Input files: which files a manifest glob lists, and reading one without surprises.

One glob expansion for every reader (the sources, `compose format`, the nothing-changed fast
path): it must give the same list everywhere, or the fast path would never match. Its rules
(README, "The manifest"):

- `*`, `?` and `[…]` match within one path component and never match a leading dot; `**`
  matches any number of folders, hidden folders excepted (as `glob.glob(recursive=True)`);
- `**` never enters a symlinked folder: a workspace link in `node_modules`, or a link to `..`,
  would make the walk endless. A single wildcard may go through one, if it stays in the project;
- a wildcard never enters `node_modules` or `.git`: only a pattern that names them does;
- outputs, their backups (`X.bak`, `X.bak.N`), compose's temporary files and its state file are
  never inputs.

`read_regular` reads only regular files: a FIFO would block a build forever, `/dev/zero` would
fill the memory, `/proc/self/environ` would print the CI's secrets in an error's code frame.

Also the other file helpers that the nothing-changed fast path shares with the loaders, so that
both read files exactly alike: finding the manifest (`find_manifest`, `manifest_path`), decoding
a manifest or an input (`decode_manifest`, `decode`), a file's stat signature (`file_signature`).
Atomic writes are in `folders.py`, the one other module the fast path imports.

Standard library only: stamp.py (the fast path) imports this before anything else.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .backups import is_backup_name

MANIFEST_NAME = "prisma.compose.toml"  # the one place the file name is written
# compose's own files beside the manifest: never an input or an output.
STATE_FILE = ".compose-state.json"  # checksums of header-less outputs (output.py)
LOCK_FILE = ".compose.lock"  # held by a build from reading its inputs to its last rename (lock.py)
_MAGIC = re.compile(r"[*?[]")
# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) and the line and
# paragraph separators. Compiled where first needed (`re` keeps it): its class beyond Latin-1
# costs more to compile than a thousand names' checks, and a name that `str.isprintable` passes
# holds none of these characters (a Cc, Zl or Zp character is never printable).
_CONTROL = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"
SKIPPED_FOLDERS = ("node_modules", ".git")
# The kernel's and the devices' file systems: their "files" are no fragments, and reading them
# can block, never end, or print secrets (`/proc/self/environ`) in an error's code frame.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


class Refused(Exception):
    """An input that is no regular file (`what` says what it is instead)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


_system_devices: set[int] | None = None
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_READ_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def _system_device_ids() -> set[int]:
    global _system_devices
    if _system_devices is None:
        found = set()
        for folder in SYSTEM_FOLDERS:
            try:
                found.add(os.stat(folder).st_dev)
            except OSError:  # no /proc on macOS: nothing to refuse there
                continue
        # `/` itself may hold /dev on a system without devtmpfs: never refuse the root's files.
        with contextlib.suppress(OSError):
            found.discard(os.stat("/").st_dev)
        _system_devices = found
    return _system_devices


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "no regular file"


# device -> whether it holds the system's special folders: decided by the real path of the first
# file seen on it (a device is mounted in one place), so a fragment costs no realpath.
_device_verdicts: dict[int, bool] = {}


def _on_system_device(st: os.stat_result, path: str | os.PathLike[str]) -> bool:
    verdict = _device_verdicts.get(st.st_dev)
    if verdict is None:
        verdict = st.st_dev in _system_device_ids()
        if not verdict:  # e.g. /dev/shm, a tmpfs of its own under /dev
            real = os.path.realpath(path)
            verdict = any(real == f or real.startswith(f + os.sep) for f in SYSTEM_FOLDERS)
        _device_verdicts[st.st_dev] = verdict
    return verdict


def check_regular(st: os.stat_result, path: str | os.PathLike[str]) -> None:
    """Raise Refused unless `st` (of `path`) is a regular file outside the system's folders."""
    if not stat.S_ISREG(st.st_mode):
        raise Refused(_kind(st.st_mode))
    if _on_system_device(st, path):
        raise Refused("a file of the kernel's or the devices' file system (/proc, /sys, /dev)")


def read_regular(path: str | os.PathLike[str], st: os.stat_result | None = None) -> bytes:
    """The bytes of a regular file. Raises Refused for anything else, OSError as `open` does.

    The file is checked before it is opened (opening some devices has effects of its own: `st`,
    its stat taken just before by the caller, else a stat now), then opened without blocking (a
    FIFO swapped in meanwhile opens at once) and checked again.
    """
    check_regular(os.stat(path) if st is None else st, path)
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        check_regular(st, path)
        # Plain reads to the end (no file object: it costs more than the read of a fragment).
        # A file that gives exactly the size its fstat said, in a read that asked for more, is
        # read whole: one call, not a second one to see the end (a short read of any other
        # length, as some network file systems give, goes on reading).
        want = max(st.st_size + 1, 1 << 16)
        chunk = os.read(fd, want)
        if len(chunk) == st.st_size:
            return chunk
        chunks = [chunk]
        while chunk := os.read(fd, want):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# -- the manifest ---------------------------------------------------------------------------------


def find_manifest(start: str | os.PathLike[str]) -> Path | None:
    """The nearest `prisma.compose.toml` in `start` or its parents (like pyproject.toml)."""
    here = os.path.abspath(start)
    with contextlib.suppress(OSError):
        if os.path.isfile(here):
            here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, MANIFEST_NAME)
        # os.path.isfile is False for an unreadable folder on the way up: no manifest there.
        if os.path.isfile(candidate):
            return Path(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def manifest_path(option: str | None) -> Path | None:
    """The manifest a command line names (`--manifest`, else searched upwards from the current
    folder); None when there is none."""
    if option:
        return Path(option).resolve() if os.path.isfile(option) else None
    return find_manifest(os.getcwd())


def decode_manifest(data: bytes) -> str:
    """The manifest's text: UTF-8, a BOM dropped (TOML allows none; editors on Windows add one).
    Raises UnicodeDecodeError, whose `start` is an offset in `data`."""
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


# -- inputs ---------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """An input file's text: UTF-8, a BOM dropped, newlines normalised to `\\n`. Raises
    UnicodeDecodeError, whose `start` is an offset in `data` (the `utf-8-sig` codec would count
    from after the BOM, and it is slower)."""
    text = data.decode("utf-8")
    return normalise_newlines(text[1:] if text.startswith("\ufeff") else text)


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


FileSignature = tuple[int, int, int, int, int]  # mtime_ns, size, inode, device, ctime_ns


def signature_of(st: os.stat_result) -> FileSignature:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev, st.st_ctime_ns)


def file_signature(path: str) -> FileSignature | None:
    """What says a file may have changed since it was read, without reading it (None: no file)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return signature_of(st)


# -- names ----------------------------------------------------------------------------------------


def control_character(text: str) -> str | None:
    """The first control character of `text` (as `U+000A`), or None.

    A name with a line break, pasted into a `// ---- fragment NAME (path) ----` header, would end
    the comment and put the rest of the name into the schema as code.
    """
    if text.isprintable():  # the usual name
        return None
    found = re.search(_CONTROL, text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def shown(text: str) -> str:
    """`text` with its control characters escaped, for a message."""
    return re.sub(_CONTROL, lambda m: f"\\u{ord(m.group()):04x}", text)


def posix_stem(path: str) -> str:
    """`PurePosixPath(path).stem` (the last component without its extension), without pathlib,
    which costs more per fragment than the rest of its name."""
    name = path.rpartition("/")[2]
    if name in ("", "."):
        name = next((p for p in reversed(path.split("/")) if p not in ("", ".")), "")
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


# -- globs ----------------------------------------------------------------------------------------


def pattern_parts(pattern: str) -> tuple[str, ...]:
    """A manifest pattern as path components, `.` and empty ones dropped, `a/..` folded."""
    return tuple(p for p in posixpath.normpath(pattern).split("/") if p not in ("", "."))


def is_magic(part: str) -> bool:
    return bool(_MAGIC.search(part))


def leaves_folder(pattern: str) -> bool:
    """Does the pattern (relative to a folder) reach outside that folder?"""
    parts = pattern_parts(pattern)
    return bool(parts) and parts[0] == ".."


def component_match(pattern: str, name: str) -> bool:
    """One path component against one pattern component, with `glob` rules."""
    if not is_magic(pattern):
        return pattern == name
    # As `glob`: a wildcard does not match a leading dot (hidden files, editors' `.x.swp`).
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, pattern)


def is_compose_file(name: str) -> bool:
    """A file compose writes beside its outputs: a backup, a temporary file, the state file."""
    return is_backup_name(name) or name == STATE_FILE or temp_owner(name) is not None


def temp_owner(name: str) -> tuple[str, int] | None:
    """(file, writer's pid) of a temporary file compose stages, `.<file>.<pid>.<random>.tmp`;
    for the temporary file of a backup (`.<file>.bak.1.<pid>…`, as older versions staged them),
    the file it is the backup of."""
    if not (name.startswith(".") and name.endswith(".tmp")):
        return None
    owner, _, rest = name[1:-4].rpartition(".")
    owner, _, pid = owner.rpartition(".")
    if not (owner and pid.isdigit() and rest.isalnum()):
        return None
    return _backed_up(owner), int(pid)


def _backed_up(name: str) -> str:
    """The file a backup's name is of (`X.bak`, `X.bak.N`: X); any other name as it is."""
    stem, dot, number = name.rpartition(".")
    if dot and number.isdigit() and stem.endswith(".bak"):
        name = stem
    if name.endswith(".bak") and len(name) > 4:
        name = name[:-4]
    return name


class NeverInputs:
    """Outputs (files and folders, absolute paths): a glob never lists them as inputs."""

    def __init__(self, files: Iterable[str] = (), folders: Iterable[str] = ()) -> None:
        self.files = {os.path.normpath(f) for f in files}
        self.folders = tuple(os.path.normpath(f) + os.sep for f in folders)

    def __contains__(self, path: str) -> bool:
        path = os.path.normpath(path)
        return path in self.files or path.startswith(self.folders)


def walk_folders(folder: str, rel: str = "") -> Iterator[tuple[str, str]]:
    """(path, POSIX path) of `folder` (whose POSIX path is `rel`) and of every folder below it
    that `**` enters: not hidden, not `node_modules`, never through a symlink (so each folder is
    visited once: a tree has no cycles)."""
    stack = [(folder, rel)]
    while stack:
        current, current_rel = stack.pop()
        yield current, current_rel
        try:
            with os.scandir(current) as entries:
                subdirs = [
                    (e.path, posixpath.join(current_rel, e.name))
                    for e in entries
                    if not e.name.startswith(".")
                    and e.name not in SKIPPED_FOLDERS
                    and e.is_dir(follow_symlinks=False)
                ]
        except OSError:
            continue
        stack.extend(sorted(subdirs, reverse=True))


def _inside(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def expand_glob(root: str | os.PathLike[str], pattern: str, never: NeverInputs | None = None) -> list[str]:
    """The files a manifest glob lists (rules above): their paths (`root` joined with the parts
    matched, no pathlib: a glob may list thousands), sorted by their POSIX path from `root`.

    Anything that is not a folder counts as a file here (a FIFO, a device): the reader refuses
    it with an error at the glob, where silence would hide why a fragment is missing. Broken
    symlinks are left out, as `glob` leaves them out.
    """
    parts = _glob_parts(pattern)
    if not parts:
        return []
    base = os.fspath(root)
    # A pattern that leaves the project (allowed by the manifest) is not confined to it.
    real_root = None if parts[0] == ".." else os.path.realpath(base)
    # (absolute path, POSIX path from root) of the folders reached so far, and of the files found.
    level: dict[str, str] = {base: ""}
    found: dict[str, str] = {}
    last = len(parts) - 1
    for i, part in enumerate(parts):
        level = _descend(level, part, i == last, found, real_root)
        if not level:
            break
    ordered = sorted(found.items(), key=lambda item: item[1])
    return [path for path, _ in ordered if never is None or path not in never]


def _glob_parts(pattern: str) -> tuple[str, ...]:
    parts = pattern_parts(pattern)
    # `**/**` lists what `**` lists.
    return tuple(p for i, p in enumerate(parts) if not (p == "**" and i and parts[i - 1] == "**"))


def _descend(
    level: dict[str, str], part: str, final: bool, found: dict[str, str], real_root: str | None
) -> dict[str, str]:
    """One pattern component: the folders it reaches from `level` (files, into `found`, when it
    is the last one)."""
    nxt: dict[str, str] = {}
    for folder, rel in level.items():
        if part == "**":
            for sub, sub_rel in walk_folders(folder, rel):
                if final:
                    _files_in(sub, sub_rel, "*", found)
                else:
                    nxt[sub] = sub_rel
        elif final:
            _files_in(folder, rel, part, found)
        else:
            _folders_in(folder, rel, part, real_root, nxt)
    return nxt


def _folders_in(folder: str, rel: str, part: str, real_root: str | None, nxt: dict[str, str]) -> None:
    """Add the folders of `folder` whose name matches `part`."""
    if not is_magic(part):
        path = os.path.join(folder, part)
        if os.path.isdir(path):
            nxt[path] = posixpath.join(rel, part)
        return
    try:
        with os.scandir(folder) as entries:
            dirs = [e for e in entries if component_match(part, e.name) and e.name not in SKIPPED_FOLDERS]
    except OSError:
        return
    for entry in dirs:
        if _enters(entry, real_root):
            nxt[entry.path] = posixpath.join(rel, entry.name)


def _enters(entry: os.DirEntry[str], real_root: str | None) -> bool:
    """Does a wildcard go into this entry? A folder, or a symlink to one inside the project: one
    level through a symlink is bounded by the pattern's length, but a link out of the project (to
    `/`, say) followed by `**` would walk a whole disk."""
    try:
        if not entry.is_dir():
            return False
        return real_root is None or not entry.is_symlink() or _inside(entry.path, real_root)
    except OSError:
        return False


def _files_in(folder: str, rel: str, part: str, found: dict[str, str]) -> None:
    """Add the non-folders of `folder` whose name matches `part`."""
    if not is_magic(part):
        names = [(part, os.path.join(folder, part))]
    else:
        try:
            with os.scandir(folder) as entries:
                names = [(e.name, e.path) for e in entries if component_match(part, e.name)]
        except OSError:
            return
    for name, path in names:
        if not is_compose_file(name) and _no_folder(path):
            found[path] = posixpath.join(rel, name)


def _no_folder(path: str) -> bool:
    """Something other than a folder is at `path` (a symlink is followed: a link to a file is
    that file; a broken one is nothing)."""
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
