"""`compose format [--check]`: format the fragment files in place with Prisma's own formatter.

Every hand-written fragment of the manifest (`path` and `glob` entries; YAML entities are laid
out by compose already) goes through `prisma format`'s engine (`@prisma/prisma-schema-wasm`).
Outputs are made of fragments, and compose lays out what it changes (merged `/// @extend` blocks,
datasource settings) the way Prisma does, so after `compose format` + `compose build` the outputs
are themselves a fixed point of `prisma format`.

Only layout is changed (`composer/formatter.py` says how): a fragment whose tokens or comments
Prisma's formatter would change is refused (E631), and then nothing is written.

Files are replaced through `composer/staging.py`: each one is read again just before its rename
and left alone when it changed since it was formatted (an editor's save; E632, exit 1); symlinks
are written through, hard-linked files refused.

`--check` writes nothing: exit 1 with a diff when a fragment is not formatted (CI, pre-commit).
Fragments are read as UTF-8; a BOM and CRLF line endings are kept.
Exit codes: 0 ok, 1 a fragment has a syntax error, is not formatted (`--check`), would change
content, changed meanwhile or cannot be written, 2 usage or no way to run Prisma.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from .. import pipeline, report
from ..diagnostics import ComposeError, Diagnostic, Location, Source, use_color
from ..formatter import FragmentFile, format_files, fragment_files

if TYPE_CHECKING:
    from ..staging import Written

__all__ = ["run"]


def run(manifest: str | None, check: bool = False, fmt: str = "text", prisma: str = "auto") -> int:
    from .errors import error_handler

    started = time.perf_counter()
    with error_handler("format", fmt, engine_use="formatter") as handled:
        files, problems, described = _format(manifest, check, fmt, prisma)
    if handled.code is not None:
        return handled.code
    changed = [f for f in files if f.formatted is not None and f.formatted != f.text]
    outputs, diffs = _outputs(files, changed, check, problems)
    if problems:
        return _refuse(problems, diffs, outputs, described, fmt)
    if not check and changed:
        code = _write(changed, outputs, fmt)
        if code is not None:
            return code
    if fmt == "json":
        report.emit([], fmt, command="format", exit_code=0, outputs=outputs, engines=described)
        return 0
    _summary(files, changed, check, started)
    return 0


def _format(
    manifest: str | None, check: bool, fmt: str, prisma: str
) -> tuple[list[FragmentFile], list[Diagnostic], list[dict[str, Any]]]:
    """The fragment files, formatted (`formatted` set on each that could be), the problems found
    and the engine that ran."""
    from ..engine_choice import schema_needs
    from ..manifest import load_manifest
    from ..validation import open_engine

    engine = None
    try:
        path = pipeline.locate_manifest(manifest)
        loaded = load_manifest(path)
        files = fragment_files(loaded)
        # The project's Prisma, else the shipped engine of the major the fragments are written for.
        engine = open_engine(loaded.root, prisma, needs=schema_needs(f.text for f in files))
        problems = format_files(files, engine)
        described = [{**engine.describe(), "targets": []}]
        if fmt != "json":
            verb = "checked the layout" if check else "formatted"
            print(f"compose: {verb} with {described[0]['label']}", file=sys.stderr)
        return files, problems, described
    finally:
        if engine is not None:
            engine.close()


def _outputs(
    files: list[FragmentFile], changed: list[FragmentFile], check: bool, problems: list[Diagnostic]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Each file's entry of the report, and the diffs of `--check`; E630 added to `problems` for
    each file `--check` finds unformatted."""
    outputs: list[dict[str, Any]] = []
    diffs: list[str] = []
    for f in files:
        entry: dict[str, Any] = {"path": f.display, "status": "formatted", "diff": None}
        if f.formatted is None:
            entry["status"] = "error"
        elif f in changed:
            entry["status"] = "unformatted" if check else "reformatted"
            if check:
                entry["diff"] = _diff(f)
                diffs.append(entry["diff"])
                problems.append(_unformatted(f))
        outputs.append(entry)
    return outputs, diffs


def _unformatted(f: FragmentFile) -> Diagnostic:
    return Diagnostic(
        f"`{f.display}` is not formatted",
        Location(Source(f.display, f.text), _first_difference(f.text, f.formatted or "")),
        code="E630",
        hint="run `compose format`",
    )


def _refuse(
    problems: list[Diagnostic],
    diffs: list[str],
    outputs: list[dict[str, Any]],
    described: list[dict[str, Any]],
    fmt: str,
) -> int:
    """Nothing is written: the diffs (text), the problems, exit 1."""
    from ..diffs import colour_diff

    if fmt == "text":
        colour = use_color(sys.stdout)
        for diff in diffs:
            sys.stdout.write(colour_diff(diff) if colour else diff)
    report.emit(problems, fmt, command="format", exit_code=1, outputs=outputs, engines=described)
    if fmt != "json":
        what = "fragment(s) not formatted" if all(d.code == "E630" for d in problems) else "problem(s)"
        print(f"compose: {len(problems)} {what}; nothing written", file=sys.stderr)
    return 1


def _write(changed: list[FragmentFile], outputs: list[dict[str, Any]], fmt: str) -> int | None:
    """Replace the reformatted files; exit 1 when one cannot be written or changed meanwhile."""
    from ..staging import Change, write_all

    changes = [Change(f.path, f.encoded(f.formatted or f.text), f.display, f.raw) for f in changed]
    try:
        done = write_all(changes, all_or_nothing=False)
    except ComposeError as exc:
        report.emit(exc.diagnostics, fmt, command="format", exit_code=1, outputs=outputs)
        return 1
    if not done.skipped:
        return None
    _skipped(done, outputs, fmt)
    return 1


def _skipped(done: Written, outputs: list[dict[str, Any]], fmt: str) -> None:
    """Files saved meanwhile were left alone (E632): said, with the files that were written."""
    skipped = {c.display for c in done.skipped}
    for entry in outputs:
        if entry["path"] in skipped:
            entry["status"] = "changed on disk"
    report.emit(
        [
            Diagnostic(
                f"`{c.display}` changed on disk while Prisma's formatter ran; it was left as it is "
                "(with that change)",
                None,
                code="E632",
                hint="run `compose format` again",
            )
            for c in done.skipped
        ],
        fmt,
        command="format",
        exit_code=1,
        outputs=outputs,
    )
    if fmt != "json":
        for c in done.written:
            print(f"formatted {c.display}", file=sys.stderr)


def _summary(files: list[FragmentFile], changed: list[FragmentFile], check: bool, started: float) -> None:
    if not check:
        for f in changed:
            print(f"formatted {f.display}", file=sys.stderr)
    ms = (time.perf_counter() - started) * 1000
    verb = "would change" if check else "reformatted"
    tail = "; run `compose build` to update the outputs" if changed and not check else ""
    print(f"compose: {len(files)} fragment(s), {len(changed)} {verb} ({ms:.0f} ms){tail}", file=sys.stderr)


def _diff(f: FragmentFile) -> str:
    from ..diffs import unified_diff

    return unified_diff(f.text, f.formatted or "", f"a/{f.display}", f"b/{f.display}")


def _first_difference(old: str, new: str) -> int:
    from ..diffs import first_difference

    return first_difference(old, new)
