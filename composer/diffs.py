"""Outputs compared with what `build` would write: each file's status, git-style diffs, diagnostics.

`compose check`, `compose format --check` and the Python API (`composer.check`) all report a file
that is not what it should be the same way: a status (`fresh`, `missing`, `stale`, `hand-edited`,
`leftover`), a unified diff that `git apply` takes (`a/…`, `b/…`, paths relative to the project),
and a diagnostic at the first line that differs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Location, Source
from .seal import CHECKSUM_LINE

if TYPE_CHECKING:
    from .manifest import Manifest
    from .output import PlannedFile

FRESH, MISSING, STALE, EDITED, LEFTOVER = "fresh", "missing", "stale", "hand-edited", "leftover"


@dataclass
class CheckedFile:
    """One output compared with what `build` would write: `diff` and `diagnostic` are None when
    it is fresh."""

    target: str
    path: str  # relative to the project, as `build` prints it
    status: str  # fresh, missing, stale, hand-edited or leftover
    diff: str | None
    diagnostic: Diagnostic | None
    planned: PlannedFile

    @property
    def fresh(self) -> bool:
        return self.status == FRESH


def compare(planned: list[PlannedFile], manifest: Manifest) -> list[CheckedFile]:
    """Each planned output's status, with a diff and a diagnostic for each one not fresh."""
    checked = []
    for f in planned:
        state = status(f)
        fresh = state == FRESH
        diff = None if fresh else output_diff(f)
        problem = None if fresh else diagnostic(f, state, manifest)
        checked.append(CheckedFile(f.target, f.display, state, diff, problem, f))
    return checked


def status(f: PlannedFile) -> str:
    if not f.changed:
        return FRESH
    if f.current is None:
        return MISSING
    if f.hand_edited:
        return EDITED
    if f.text is None:
        return LEFTOVER
    return STALE


def unified_diff(old: str, new: str, before: str, after: str) -> str:
    """A unified diff from `old` to `new`, with the last line of a file without a final newline
    marked as diff(1) and git mark it (so that `git apply` takes it)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), before, after, n=3
    )
    marked = "\n\\ No newline at end of file\n"
    return "".join(line if line.endswith("\n") else line + marked for line in lines)


def output_diff(f: PlannedFile) -> str:
    """git-style diff from the output on disk to what `build` would write."""
    before = "/dev/null" if f.current is None else f"a/{f.display}"
    after = "/dev/null" if f.text is None else f"b/{f.display}"
    return unified_diff(f.current or "", f.text or "", before, after)


def first_difference(old: str, new: str) -> int:
    """Offset in `old` of the start of the first line that differs from `new`.

    The checksum lines of two outputs differ whenever anything else does: they are skipped, so
    the place shown is the first real change.
    """
    offset = 0
    for a, b in zip(old.splitlines(keepends=True), new.splitlines(keepends=True), strict=False):
        if a != b and not (a.startswith(CHECKSUM_LINE) and b.startswith(CHECKSUM_LINE)):
            return offset
        offset += len(a)
    return min(offset, len(old))


def diagnostic(f: PlannedFile, state: str, manifest: Manifest) -> Diagnostic:
    """What is wrong with an output that is not fresh, and how to fix it."""
    from .output import backup_display, verify

    rebuild = f"compose build {f.target}"
    if state == MISSING:
        return Diagnostic(
            f"`{f.display}` (target {f.target}) is missing",
            manifest.targets[f.target].key_location("output"),
            code="E601",
            hint=f"run `{rebuild}` and commit the result",
        )
    current = f.current or ""
    where = Location(Source(f.display, current), first_difference(current, f.text or ""))
    if state == LEFTOVER:
        return Diagnostic(
            f"`{f.display}` is left over from an earlier build of target {f.target}",
            where,
            code="E604",
            hint=f"run `{rebuild}` to remove it",
        )
    if state == EDITED:
        written = verify(current) is False or f.recorded is not None
        message = (
            f"`{f.display}` (target {f.target}) was edited by hand since compose wrote it"
            if written else f"`{f.display}` (target {f.target}) was not written by compose"
        )
        return Diagnostic(
            message,
            where,
            code="E603",
            hint=f"move the change into a fragment, then run `compose build --force {f.target}`, "
            f"which keeps the current file as `{backup_display(f)}`"
            if written
            else "if a script of yours wrote it (a combine script compose replaces), "
            f"`compose build --force {f.target}` takes it over and keeps the current file as "
            f"`{backup_display(f)}`; if it is yours, choose another `output`",
        )
    return Diagnostic(
        f"`{f.display}` (target {f.target}) is out of date with its fragments",
        where,
        code="E602",
        hint=f"run `{rebuild}` and commit the result",
    )


def colour_diff(diff: str) -> str:
    red, green, cyan, bold, reset = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("---", "+++")):
            out.append(bold + line.rstrip("\n") + reset + "\n")
        elif line.startswith("@@"):
            out.append(cyan + line.rstrip("\n") + reset + "\n")
        elif line.startswith("+"):
            out.append(green + line.rstrip("\n") + reset + "\n")
        elif line.startswith("-"):
            out.append(red + line.rstrip("\n") + reset + "\n")
        else:
            out.append(line)
    return "".join(out)
