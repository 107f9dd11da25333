"""Which folders `compose watch` watches, and which paths in them a build reads: the manifest's
glob patterns matched as path components, with `glob.glob(recursive=True)` rules and the
manifest's (inputfiles.py: no hidden names, no `node_modules`/`.git`, `**` enters no symlink)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from ..inputfiles import SKIPPED_FOLDERS, component_match, is_magic, walk_folders

NO, FOLDER, FULL = 0, 1, 2


def glob_match(pattern: Sequence[str], parts: Sequence[str]) -> int:
    """Match a path against a glob (both as components), with `glob.glob(recursive=True)` rules.

    FULL: the path matches; FOLDER: the path is a folder on the way to matches (a new or deleted
    folder there adds or removes matches); NO otherwise.
    """

    def match(i: int, j: int) -> int:
        while True:
            if j == len(parts):
                if all(p == "**" for p in pattern[i:]):
                    return FULL if i < len(pattern) or j > 0 else NO
                return FOLDER
            if i == len(pattern):
                return NO
            p = pattern[i]
            if p == "**":
                here = match(i + 1, j)  # `**` matches no folder
                if here == FULL or parts[j].startswith(".") or parts[j] in SKIPPED_FOLDERS:
                    return here
                return max(here, match(i, j + 1))  # or one more
            if not component_match(p, parts[j]) or (is_magic(p) and parts[j] in SKIPPED_FOLDERS):
                return NO
            i += 1
            j += 1

    return match(0, 0)


def add_ancestors(dirs: set[str], root: str, parts: Sequence[str]) -> str | None:
    """Add root/parts[0]/… as deep as it exists; return the deepest when it all exists."""
    here = root
    for part in parts:
        nxt = os.path.normpath(os.path.join(here, part))
        if not os.path.isdir(nxt):
            return None
        dirs.add(nxt)
        here = nxt
    return here


def add_pattern_dirs(dirs: set[str], root: str, parts: Sequence[str]) -> None:
    """Add every existing folder a glob can match files in, or folders on the way to them."""
    folders = parts[:-1]
    static = 0
    while static < len(folders) and not is_magic(folders[static]):
        static += 1
    base = add_ancestors(dirs, root, folders[:static])
    if base is None:
        return
    level = [base]
    for part in folders[static:]:
        nxt: list[str] = []
        for folder in level:
            if part == "**":  # the folders the glob walks (inputfiles.py): no symlink, no cycle
                nxt.extend(current for current, _ in walk_folders(folder))
            else:
                with contextlib.suppress(OSError):
                    for entry in os.scandir(folder):
                        if (
                            component_match(part, entry.name)
                            and entry.name not in SKIPPED_FOLDERS
                            and entry.is_dir()
                        ):
                            nxt.append(entry.path)
        dirs.update(nxt)
        level = nxt
