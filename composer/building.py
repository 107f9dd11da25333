"""A build as `compose build` and `compose init` run it: one writer per project (`lock.py`), the
targets composed (with `--validate`, checked by Prisma first), the outputs written, the build
stamped for the nothing-changed fast path (`stamp.py`); and its report on stderr (or as JSON).

`build` raises `ComposeError`/`UsageError` as the pipeline does; the command turns them into exit
codes (`commands/errors.py`). The warnings found so far are kept on `sink.warnings` as the build
goes, so that an error later on is reported after them.
"""

from __future__ import annotations

import contextlib
import sys
import time

from . import output, pipeline, quick_exit
from .diagnostics import ComposeError
from .lock import project_lock
from .records import Record
from .sources import Loader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any, Protocol

    from . import stamp
    from .diagnostics import Diagnostic
    from .validation import Engines

    class WarningSink(Protocol):
        warnings: list[Diagnostic]


class Built(Record):
    _attrs = ("comp", "written", "engines")

    def __init__(
        self,
        comp: pipeline.Composition,
        written: pipeline.Written,
        engines: list[dict[str, Any]] | None,  # with --validate: the Prisma engines that ran (--format json)
    ) -> None:
        self.comp = comp
        self.written = written
        self.engines = engines


def build(
    targets: list[str],
    manifest: str | None,
    sink: WarningSink,
    force: bool = False,
    fmt: str = "text",
    validate: bool = False,
    prisma: str = "auto",
) -> Built:
    engine = None
    engines = None
    loader: Loader | None = None
    hashing: stamp.Hashing | None = None
    locked = contextlib.ExitStack()
    try:
        # One writer per project, from reading the inputs to the last rename (lock.py).
        found = pipeline.locate_manifest(manifest)
        locked.enter_context(project_lock(found.parent))
        manifest = str(found)
        if validate:
            # `--validate`: Prisma's validator on the composed text before anything is written
            # (composer/validation.py); its Node process starts while Python composes.
            from .validation import start

            loaded, engine = start(manifest, targets, prisma)
            comp = pipeline.compose_project(loaded, targets, engine.loader())
        else:
            from .stamp import tool_fingerprint

            tool = tool_fingerprint()  # before reading anything: see stamp.record
            loader = Loader(keep_parses=False)  # one load: nothing to cache parses for
            comp = pipeline.load(manifest, targets, loader)
        quick_exit.hold(comp, loader)  # freed by the process's end, not one by one (quick_exit.py)
        sink.warnings = comp.warnings
        if engine is not None:
            engines, found_warnings = check_with_prisma(comp, engine, fmt)
            sink.warnings = [*sink.warnings, *found_warnings]
        planned = pipeline.plan_outputs(comp)
        if loader is not None and not sink.warnings:
            hashing = start_stamp(comp, planned, loader)  # hashes while the outputs are written
        written = pipeline.write_outputs(comp, force, planned)
        quick_exit.hold(written)
        if hashing is not None:
            remember(comp, targets or [], written.planned, hashing, tool)
    finally:
        if hashing is not None:
            hashing.done()  # a build that failed meanwhile leaves no thread behind
        locked.close()
        if engine is not None:
            engine.close()
    return Built(comp, written, engines)


def start_stamp(
    comp: pipeline.Composition, planned: list[output.PlannedFile], loader: Loader
) -> stamp.Hashing | None:
    """The digests of this build's stamp, taken by a thread (`stamp.Hashing`) while the outputs
    are written; None when the build is not stamped."""
    inputs = loader.texts(comp.loaded.files)
    if inputs is None:
        return None
    from .stamp import hashing

    return hashing(comp.manifest.source.text, inputs, [(str(f.path), f.text) for f in planned])


def remember(
    comp: pipeline.Composition,
    targets: list[str],
    planned: list[output.PlannedFile],
    hashing: stamp.Hashing,
    tool: str,
) -> None:
    """Stamp this build so that the next one with nothing changed is a quick check (stamp.py)."""
    from . import stamp
    from .sources import output_paths

    root = comp.manifest.root
    stamp.record(
        comp.manifest.path,
        tool,
        targets,
        [(spec.kind, spec.pattern) for spec in comp.manifest.fragments],
        hashing,
        [str(root / t.target.output) for t in comp.targets if t.target.folder],
        (len(comp.targets), sum(1 for f in planned if f.text is not None)),
        output_paths(comp.manifest),
    )


def check_with_prisma(
    comp: pipeline.Composition, engine: Engines, fmt: str
) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """`--validate`: the engines that ran and Prisma's warnings; its errors raise ComposeError."""
    from .validation import prisma_diagnostics

    found = prisma_diagnostics(comp.targets, engine)
    engines, engine_line = engine.describe(), engine.line()
    if fmt != "json":
        print(engine_line, file=sys.stderr)
    if any(d.severity == "error" for d in found):
        raise ComposeError(found)
    return engines, found


def show(
    comp: pipeline.Composition,
    written: pipeline.Written,
    warnings: list[Diagnostic],
    fmt: str,
    engines: list[dict[str, Any]] | None,
    started: float,
) -> None:
    """What the build did: json, or the warnings and the summary."""
    if warnings or fmt == "json":
        statuses = written.statuses()
        outputs = [
            # `backup`: where `--force` kept the file it replaced, or null
            {"target": f.target, "path": f.display, "status": state, "backup": f.backup}
            for f, state in statuses
        ]
        notes = [n for t in comp.targets for n in t.notes]
        shown = [*warnings, *notes] if fmt == "json" else warnings
        from . import report  # here: a plain build without warnings prints its summary only

        report.emit(shown, fmt, command="build", exit_code=0, outputs=outputs, engines=engines)
    if fmt != "json":
        summary(comp, written, started)


def summary(comp: pipeline.Composition, written: pipeline.Written, started: float) -> None:
    """The human lines on stderr: adapted targets, each file written or removed (and where a
    backup went), the totals."""
    planned, touched = written.planned, written.touched
    for t in comp.targets:
        if t.adapted:
            print(f"compose: {t.target.name}: adapted to its provider: {t.adapted} "
                  "(`--format json` lists each change)", file=sys.stderr)
    for f in touched:
        verb = "removed" if f.text is None else "wrote"
        print(f"{verb} {f.display}", file=sys.stderr)
        if f.backup is not None:
            print(f"kept the file it replaced as {f.backup}", file=sys.stderr)
    ms = (time.perf_counter() - started) * 1000
    unchanged = sum(1 for f in planned if not f.changed)
    print(
        f"compose: {len(comp.targets)} target(s), {len(touched)} file(s) written, "
        f"{unchanged} unchanged ({ms:.0f} ms)",
        file=sys.stderr,
    )
