"""`compose split SCHEMA --out DIR`: cut an existing schema into fragments plus a manifest.

The split itself (reading, planning, the self-check, writing) is `composer/splitting.py`, the
grouping `composer/clustering.py`; this module reads the options and prints what was done.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

from ..splitting import (
    BY_CHOICES,
    DEFAULT_FRAGMENTS_DIR,
    SplitResult,
    WriteReport,
    join,
    not_composed,
    split_path,
    write_files,
)

__all__ = ["BY_CHOICES", "run"]


def run(
    schema: str,
    out: str | None,
    by: str | None = None,
    map_file: str | None = None,
    fragments_dir: str = DEFAULT_FRAGMENTS_DIR,
    output: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> int:
    from .errors import error_handler

    problem = _usage_problem(out, by, map_file, fragments_dir, output)
    if problem is not None or not out:
        print(f"compose: error: {problem}", file=sys.stderr)
        return 2
    if map_file:
        by = "map"
    with error_handler("split") as handled:
        result = split_path(
            Path(schema), Path(out), by, Path(map_file) if map_file else None, fragments_dir, output
        )
        written = None if dry_run else write_files(Path(out), result.files, force)
    if handled.code is not None:
        return handled.code
    _show(out, result, written, dry_run)
    return 0


def _usage_problem(
    out: str | None, by: str | None, map_file: str | None, fragments_dir: str, output: str | None
) -> str | None:
    """What is wrong with the options (exit 2), or None."""
    if not out:
        return "`--out DIR` is required: the folder for the manifest and the fragments"
    if map_file and by not in (None, "map"):
        return "--map goes with --by map"
    if by == "map" and not map_file:
        return "--by map needs --map FILE (a TOML or YAML map of model → fragment)"
    for option, value in (("--output", output), ("--fragments-dir", fragments_dir)):
        if value is not None and (PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts):
            return f"{option} must be a relative path inside --out"
    return None


def _show(out: str, result: SplitResult, written: WriteReport | None, dry_run: bool) -> None:
    """What was (or, with --dry-run, would be) written, on stderr, and what to run next."""
    verb = "would write" if dry_run else "wrote"
    for frag in result.fragments:
        print(f"{verb} {join(out, frag.path)}  ({frag.summary() or 'comments only'})", file=sys.stderr)
        if dry_run and frag.items:
            print(f"    {', '.join(item.name for item in frag.items)}", file=sys.stderr)
    print(
        f"{verb} {join(out, 'prisma.compose.toml')}  (target `{result.target}` → {result.output})",
        file=sys.stderr,
    )
    if written is not None:
        _next(out, result, written)


def _next(out: str, result: SplitResult, written: WriteReport) -> None:
    for replaced, spare in written.backups:
        print(f"kept the old {replaced} as {spare}", file=sys.stderr)
    build = "compose build --force" if not_composed(Path(out), result) else "compose build"
    print(f"compose: {len(result.fragments)} fragment(s); next: `{build}` in {out}", file=sys.stderr)
    if build.endswith("--force"):
        print(
            f"compose: `{result.output}` exists and was not written by compose: `--force` replaces it, "
            "keeping a .bak copy",
            file=sys.stderr,
        )
