"""Backups of files compose replaces: never overwrite an earlier backup.

`build --force`, `compose init` and `compose split` keep the file they replace. A second replacement
must not destroy the first backup (it may hold the only copy of a hand edit), so backups are
numbered: `NAME.bak`, then `NAME.bak.1`, `NAME.bak.2`, ... The caller says where each one went.
"""

from __future__ import annotations

import os
from pathlib import Path

BACKUP_SUFFIX = ".bak"


def free_backup_path(path: Path, taken: set[str] | frozenset[str] = frozenset()) -> Path:
    """The first of `NAME.bak`, `NAME.bak.1`, ... that exists neither on disk nor in `taken`.

    `taken` holds names (in `path`'s folder) that this run already reserved for other backups, so
    one build that backs up two files never picks the same name twice.
    """
    base = path.name + BACKUP_SUFFIX
    candidate, n = base, 0
    while candidate in taken or os.path.lexists(path.with_name(candidate)):
        n += 1
        candidate = f"{base}.{n}"
    return path.with_name(candidate)


def is_backup_name(name: str) -> bool:
    """True for `X.bak` and `X.bak.N`: files compose made, which are never inputs."""
    if name.endswith(BACKUP_SUFFIX):
        return True
    stem, dot, number = name.rpartition(".")
    return bool(dot) and number.isdigit() and stem.endswith(BACKUP_SUFFIX)
