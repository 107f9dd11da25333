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

import gc
import sys
import time
from typing import TYPE_CHECKING

from .. import pipeline, quick_exit, report
from ..diagnostics import use_color
from ..diffs import FRESH, colour_diff, compare

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..diffs import CheckedFile
from .errors import error_handler


def run(targets: list[str], manifest: str | None, fmt: str = "text") -> int:
    started = time.perf_counter()
    gc.disable()  # a one-shot run: see commands/build.py
    with error_handler("check", fmt) as handled:
        comp = pipeline.load(manifest, targets)
        quick_exit.hold(comp)  # freed by the process's end, not one by one (quick_exit.py)
        handled.warnings = comp.warnings
        checked = compare(pipeline.plan_outputs(comp), comp.manifest)
        quick_exit.hold(checked)
    if handled.code is not None:
        return handled.code
    problems = [c.diagnostic for c in checked if c.diagnostic is not None]
    code = 1 if problems else 0
    show(checked, [*comp.warnings, *problems], fmt, code)
    if fmt != "json":
        ms = (time.perf_counter() - started) * 1000
        fresh = sum(1 for c in checked if c.status == FRESH)
        verdict = f"{len(problems)} output(s) not up to date" if problems else "every output is up to date"
        print(f"compose: {verdict} ({fresh} fresh, {ms:.0f} ms)", file=sys.stderr)
    return code


def show(checked: list[CheckedFile], diagnostics: list[Diagnostic], fmt: str, code: int) -> None:
    """The diffs and the diagnostics, in the order each format wants them."""
    if fmt == "json":
        outputs = [{"target": c.target, "path": c.path, "status": c.status, "diff": c.diff} for c in checked]
        report.emit(diagnostics, fmt, command="check", exit_code=code, outputs=outputs)
        return
    diffs = [(c.path, c.diff) for c in checked if c.diff is not None]
    if fmt == "github":
        report.emit(diagnostics, fmt)
        for path, diff in diffs:
            sys.stdout.write(f"::group::diff {path}\n{diff}::endgroup::\n")
        sys.stdout.flush()
        return
    colour = use_color(sys.stdout)
    for _, diff in diffs:
        sys.stdout.write(colour_diff(diff) if colour else diff)
    sys.stdout.flush()
    report.emit(diagnostics, fmt)
