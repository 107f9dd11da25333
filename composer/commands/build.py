"""`compose build [TARGET…]`: compose the targets and write their outputs."""

from __future__ import annotations

import gc
import sys
import time

from .. import output, pipeline, quick_exit, report
from ..diagnostics import ComposeError
from ..sources import Loader


def remember(
    comp: pipeline.Composition,
    targets: list[str],
    planned: list[output.PlannedFile],
    loader: Loader,
    tool: str,
) -> None:
    """Stamp this build so that the next one with nothing changed is a quick check (stamp.py)."""
    inputs = loader.texts(comp.loaded.files)
    if inputs is None:
        return
    from .. import stamp

    root = comp.manifest.root
    stamp.record(
        comp.manifest.path,
        comp.manifest.source.text,
        tool,
        targets,
        [(spec.kind, spec.pattern) for spec in comp.manifest.fragments],
        inputs,
        [(str(f.path), f.text) for f in planned],
        [str(root / t.target.output) for t in comp.targets if t.target.folder],
        (len(comp.targets), sum(1 for f in planned if f.text is not None)),
    )


def run(
    targets: list[str],
    manifest: str | None,
    force: bool = False,
    fmt: str = "text",
    validate: bool = False,
    prisma: str = "auto",
) -> int:
    started = time.perf_counter()
    # A one-shot run allocates a large syntax tree that lives until exit: the cyclic collector
    # would walk it again and again for nothing (over half the time of a 5,000-model build).
    gc.disable()
    warnings = []
    engine = None
    engines = None  # with --validate: the Prisma engines that ran, for --format json
    loader: Loader | None = None
    try:
        if validate:
            # `--validate`: Prisma's validator on the composed text before anything is written
            # (commands/validate.py); its Node process starts while Python composes.
            from .validate import prisma_diagnostics, start

            loaded, engine = start(manifest, targets, prisma)
            comp = pipeline.compose_project(loaded, targets)
        else:
            from ..stamp import tool_fingerprint

            tool = tool_fingerprint()  # before reading anything: see stamp.record
            loader = Loader()
            comp = pipeline.load(manifest, targets, loader)
        quick_exit.hold(comp, loader)  # freed by the process's end, not one by one (quick_exit.py)
        warnings = comp.warnings
        if engine is not None:
            found = prisma_diagnostics(comp.targets, engine)
            engines, engine_line = engine.describe(), engine.line()
            if fmt != "json":
                print(engine_line, file=sys.stderr)
            if any(d.severity == "error" for d in found):
                raise ComposeError(found)
            warnings = [*warnings, *found]
        state = output.read_state(comp.manifest.root)
        planned = [f for t in comp.targets for f in output.plan(comp.manifest.root, t, state)]
        quick_exit.hold(planned)
        touched = output.apply(planned, force, comp.manifest.root)
        if loader is not None and not warnings:
            remember(comp, targets or [], planned, loader, tool)
    except pipeline.UsageError as exc:
        return report.usage_error(str(exc), fmt, "build")
    except ComposeError as exc:
        report.emit([*warnings, *exc.diagnostics], fmt, command="build", exit_code=1)
        return 1
    except Exception as exc:
        from .validate import EngineUnavailable

        if isinstance(exc, EngineUnavailable):
            return report.usage_error(f"cannot run Prisma's validator: {exc}", fmt, "build")
        raise
    finally:
        if engine is not None:
            engine.close()
    notes = [n for t in comp.targets for n in t.notes]
    if warnings or fmt == "json":
        done = {id(f) for f in touched}
        outputs = [
            {
                "target": f.target,
                "path": f.display,
                "status": ("removed" if f.text is None else "written") if id(f) in done else "unchanged",
            }
            for f in planned
        ]
        shown = [*warnings, *notes] if fmt == "json" else warnings
        report.emit(shown, fmt, command="build", exit_code=0, outputs=outputs, engines=engines)
    if fmt != "json":
        for t in comp.targets:
            if t.adapted:
                print(f"compose: {t.target.name}: adapted to its provider: {t.adapted} "
                      "(`--format json` lists each change)", file=sys.stderr)
        for f in touched:
            verb = "removed" if f.text is None else "wrote"
            print(f"{verb} {f.display}", file=sys.stderr)
        ms = (time.perf_counter() - started) * 1000
        unchanged = sum(1 for f in planned if not f.changed)
        print(
            f"compose: {len(comp.targets)} target(s), {len(touched)} file(s) written, "
            f"{unchanged} unchanged ({ms:.0f} ms)",
            file=sys.stderr,
        )
    return 0
