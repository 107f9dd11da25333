"""`compose check [TARGET…]`: are the outputs on disk what `build` would write? Writes nothing.

For CI and pre-commit: exit 0 when every output is fresh; exit 1, with a unified diff from what
is on disk to what `build` would write, when an output is missing, stale (the fragments or the
manifest changed since it was built), edited by hand, or a leftover of a folder output that
`build` would remove. The diff is git-style (`a/…`, `b/…`, paths relative to the project), so
`compose check | git apply` brings the outputs up to date, like `build --force` would.

Text mode: the diff on stdout (coloured on a terminal, unless NO_COLOR), one diagnostic per stale
output on stderr. json: one document whose `outputs` carry each file's status and diff. github:
one annotation per stale output (at the first line that differs), then the diffs in collapsed
log groups.
"""

from __future__ import annotations

import difflib
import gc
import sys
import time
from typing import TYPE_CHECKING, Any

from .. import output, pipeline, quick_exit, report
from ..diagnostics import ComposeError, Diagnostic, Location, Source, use_color

if TYPE_CHECKING:
    from ..output import PlannedFile
    from ..pipeline import Composition

FRESH, MISSING, STALE, EDITED, LEFTOVER = "fresh", "missing", "stale", "hand-edited", "leftover"
CHECKSUM = "// checksum: sha256:"


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


def unified_diff(f: PlannedFile) -> str:
    """git-style diff from the file on disk to what `build` would write."""
    old = f.current or ""
    new = f.text or ""
    before = "/dev/null" if f.current is None else f"a/{f.display}"
    after = "/dev/null" if f.text is None else f"b/{f.display}"
    lines = list(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), before, after, n=3
    ))
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a file without a final newline, as diff(1) and git mark it
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def first_difference(old: str, new: str) -> int:
    """Offset in `old` of the start of the first line that differs from `new`.

    The checksum lines of two outputs differ whenever anything else does: they are skipped, so
    the place shown is the first real change.
    """
    offset = 0
    for a, b in zip(old.splitlines(keepends=True), new.splitlines(keepends=True), strict=False):
        if a != b and not (a.startswith(CHECKSUM) and b.startswith(CHECKSUM)):
            return offset
        offset += len(a)
    return min(offset, len(old))


def diagnostic(f: PlannedFile, state: str, comp: Composition) -> Diagnostic:
    target = comp.manifest.targets[f.target]
    rebuild = f"compose build {f.target}"
    if state == MISSING:
        return Diagnostic(
            f"`{f.display}` (target {f.target}) is missing",
            target.key_location("output"),
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
        written = output.verify(current) is False or f.recorded is not None
        message = (
            f"`{f.display}` (target {f.target}) was edited by hand since compose wrote it"
            if written else f"`{f.display}` (target {f.target}) was not written by compose"
        )
        return Diagnostic(
            message,
            where,
            code="E603",
            hint=f"move the change into a fragment, then run `compose build --force {f.target}`, "
            f"which keeps the current file as `{f.display}.bak`",
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


def run(targets: list[str], manifest: str | None, fmt: str = "text") -> int:
    started = time.perf_counter()
    gc.disable()  # a one-shot run: see commands/build.py
    warnings: list[Diagnostic] = []
    try:
        comp = pipeline.load(manifest, targets)
        quick_exit.hold(comp)  # freed by the process's end, not one by one (quick_exit.py)
        warnings = comp.warnings
        root = comp.manifest.root
        state = output.read_state(root)
        planned = [f for t in comp.targets for f in output.plan(root, t, state)]
        quick_exit.hold(planned)
    except pipeline.UsageError as exc:
        return report.usage_error(str(exc), fmt, "check")
    except ComposeError as exc:
        report.emit([*warnings, *exc.diagnostics], fmt, command="check", exit_code=1)
        return 1
    problems: list[Diagnostic] = []
    outputs: list[dict[str, Any]] = []
    diffs: list[tuple[PlannedFile, str]] = []
    for f in planned:
        state_ = status(f)
        entry: dict[str, Any] = {"target": f.target, "path": f.display, "status": state_, "diff": None}
        if state_ != FRESH:
            diff = unified_diff(f)
            entry["diff"] = diff
            diffs.append((f, diff))
            problems.append(diagnostic(f, state_, comp))
        outputs.append(entry)
    code = 1 if problems else 0
    if fmt == "json":
        report.emit([*warnings, *problems], fmt, command="check", exit_code=code, outputs=outputs)
        return code
    if fmt == "github":
        report.emit([*warnings, *problems], fmt)
        for f, diff in diffs:
            sys.stdout.write(f"::group::diff {f.display}\n{diff}::endgroup::\n")
        sys.stdout.flush()
    else:
        colour = use_color(sys.stdout)
        for _, diff in diffs:
            sys.stdout.write(colour_diff(diff) if colour else diff)
        sys.stdout.flush()
        report.emit([*warnings, *problems], fmt)
    ms = (time.perf_counter() - started) * 1000
    fresh = sum(1 for o in outputs if o["status"] == FRESH)
    verdict = f"{len(problems)} output(s) not up to date" if problems else "every output is up to date"
    print(f"compose: {verdict} ({fresh} fresh, {ms:.0f} ms)", file=sys.stderr)
    return code
