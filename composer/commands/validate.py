"""`compose validate [TARGET…]`: Prisma's own validator on the composed targets, errors at fragment lines.

The targets are composed in memory and each output, exactly as `build` would write it, is given to
Prisma's schema engine (`@prisma/prisma-schema-wasm`, what `prisma validate` runs) through the Node
bridge. Every error Prisma reports is sent back through the output's source map to the fragment
line (or YAML entity line, or manifest key) that produced it. An error found in several targets
(a fragment shared by two targets) is reported once.

Which Prisma: the one installed in the project (`node_modules/prisma`, or
`@prisma/prisma-schema-wasm`, in the manifest's folder or a parent) so that compose agrees with
the project's own `prisma validate`; otherwise the pinned Prisma 6 of prisma-compose. `--prisma 6`
or `--prisma 7` picks a pinned version; `PRISMA_SCHEMA_WASM` names a module explicitly.

Exit codes: 0 Prisma accepts every target (warnings allowed), 1 input errors or Prisma rejects a
target, 2 usage errors or no way to run Prisma (no Node.js, engine not installed).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import pipeline, report
from ..diagnostics import ComposeError, Diagnostic

if TYPE_CHECKING:
    from ..compose import ComposedTarget
    from ..manifest import Manifest
    from ..prisma_wasm import PrismaWasm
    from ..sourcemap import OutputMap

PINNED_DEFAULT = "6"
PRISMA_ERROR = "P1012"  # Prisma's own code for "schema validation error"
PRISMA_WARNING = "W610"


@dataclass
class Engine:
    wasm: PrismaWasm
    label: str  # for messages: "Prisma 6.19.0 (node_modules/prisma)"

    def close(self) -> None:
        # A one-shot run: Node, left to exit on its own, spends ~0.4 s finishing background wasm
        # compilation first. Nothing is lost by ending it now.
        proc = getattr(self.wasm, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
        self.wasm.close()


class EngineUnavailable(Exception):
    """Prisma's validator cannot be run here (exit 2)."""


def _package_version(path: Path) -> str | None:
    import json

    for directory in (path, *path.parents):
        pkg = directory / "package.json"
        if pkg.is_file():
            try:
                version = json.loads(pkg.read_text(encoding="utf-8")).get("version")
            except (OSError, ValueError):
                return None
            return str(version) if version else None
    return None


def _short(version: str | None) -> str:
    return (version or "?").split("-")[0]


def open_engine(root: Path, prisma: str = "auto") -> Engine:
    """The schema engine to validate with (started lazily; `warm()` starts it in the background)."""
    from ..prisma_wasm import PrismaWasm, find_user_wasm

    if prisma not in ("auto", "6", "7"):
        raise EngineUnavailable(f"--prisma expects auto, 6 or 7, not `{prisma}`")
    if prisma == "auto" and os.environ.get("PRISMA_SCHEMA_WASM"):
        # The bridge loads that module; its version is known once it runs (see describe()).
        return Engine(PrismaWasm(PINNED_DEFAULT, cwd=str(root)), "Prisma (PRISMA_SCHEMA_WASM)")
    if prisma == "auto":
        found = find_user_wasm(root)
        if found is not None:
            version = _package_version(Path(found).parent if found.endswith(".wasm") else Path(found))
            major = _short(version).split(".")[0]
            where = os.path.relpath(found, root) if os.path.isabs(found) else found
            shown = where.replace(os.sep, "/").split("/build/")[0]
            return Engine(
                PrismaWasm(major if major.isdigit() else PINNED_DEFAULT, cwd=str(root), module=found),
                f"Prisma {_short(version)} ({shown})",
            )
    major = PINNED_DEFAULT if prisma == "auto" else prisma
    return Engine(PrismaWasm(major, cwd=str(root)), f"Prisma {major} (pinned)")


def warm(engine: Engine) -> None:
    """Start Node and load Prisma's engine in a background thread, while Python composes."""
    import contextlib

    def run() -> None:
        # A failure here is reported again, properly, by the first real call.
        with contextlib.suppress(Exception):
            engine.wasm.info()

    threading.Thread(target=run, name="prisma-start", daemon=True).start()


def describe(engine: Engine) -> str:
    """The label, with the exact version of the engine that ran."""
    try:
        info = engine.wasm.info()
    except Exception:
        return engine.label
    version = _short(str(info.get("version") or ""))
    where = engine.label[engine.label.index("(") :]
    return f"Prisma {version} {where}"


def prisma_diagnostics(targets: list[ComposedTarget], engine: Engine) -> list[Diagnostic]:
    """Prisma's errors and warnings for each target, at the fragment lines they come from.

    Raises EngineUnavailable when Prisma cannot be run.
    """
    from ..prisma_wasm import NodeNotFoundError, PrismaWasm, PrismaWasmError
    from ..sourcemap import OutputMap

    found: dict[tuple[object, ...], tuple[Diagnostic, list[str]]] = {}
    for composed in targets:
        maps = {m.path: m for m in (OutputMap(composed, f) for f in composed.files)}
        files = [(path, m.text) for path, m in maps.items()]
        try:
            results = engine.wasm.validate(files)
        except PrismaWasmError as exc:
            if engine.wasm.module is not None and not isinstance(exc, NodeNotFoundError):
                # The project's Prisma cannot be loaded by this bridge: fall back to the pinned one.
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.kind
                print(
                    f"compose: warning: cannot use {engine.label} ({first_line}); using the pinned "
                    f"Prisma {PINNED_DEFAULT} instead",
                    file=sys.stderr,
                )
                engine.wasm.close()
                engine.wasm = PrismaWasm(PINNED_DEFAULT, cwd=engine.wasm.cwd)
                engine.label = f"Prisma {PINNED_DEFAULT} (pinned)"
                return prisma_diagnostics(targets, engine)
            raise EngineUnavailable(str(exc)) from exc
        for result in results:
            omap = maps.get(result.file) or next(iter(maps.values()))
            diagnostic = to_diagnostic(result.message, result.severity, result.start, result.end, omap)
            loc = diagnostic.location
            key = (diagnostic.severity, diagnostic.message, loc.file, loc.line, loc.column) if loc else (
                diagnostic.severity, diagnostic.message
            )
            where = _output_place(omap, result.start)
            if key in found:
                found[key][1].append(where)
            else:
                found[key] = (diagnostic, [where])
    out = []
    for diagnostic, places in found.values():
        diagnostic.notes.append((f"reported by Prisma in the composed output: {', '.join(places)}", None))
        out.append(diagnostic)
    out.sort(key=lambda d: (d.severity != "error", *_place(d)))
    return out


def _place(d: Diagnostic) -> tuple[str, int, int]:
    loc = d.location
    return (loc.file, loc.line, loc.column) if loc is not None else ("", 0, 0)


def _output_place(omap: OutputMap, offset: int) -> str:
    line, col = omap.output.line_col(offset)
    return f"{omap.path}:{line}:{col} (target {omap.target})"


def to_diagnostic(message: str, severity: str, start: int, end: int, omap: OutputMap) -> Diagnostic:
    location, mapped = omap.locate(start, end)
    return Diagnostic(
        message.strip(),
        location,
        severity="error" if severity == "error" else "warning",
        code=PRISMA_ERROR if severity == "error" else PRISMA_WARNING,
        hint=None if mapped else "compose wrote this line itself: check the target settings in the manifest",
    )


def start(manifest: str | None, targets: list[str], prisma: str = "auto") -> tuple[Manifest, Engine]:
    """Load the manifest, check the targets (usage errors come before Node starts), start the engine."""
    from ..manifest import load_manifest

    loaded = load_manifest(pipeline.locate_manifest(manifest))
    pipeline.pick_targets(loaded, targets)
    engine = open_engine(loaded.root, prisma)
    warm(engine)
    return loaded, engine


def run(targets: list[str], manifest: str | None, fmt: str = "text", prisma: str = "auto") -> int:
    started = time.perf_counter()
    gc.disable()  # a one-shot run: see commands/build.py
    warnings: list[Diagnostic] = []
    engine: Engine | None = None
    try:
        loaded, engine = start(manifest, targets, prisma)
        comp = pipeline.compose_project(loaded, targets)
        warnings = comp.warnings
        found = prisma_diagnostics(comp.targets, engine)
        label = describe(engine)
    except pipeline.UsageError as exc:
        return report.usage_error(str(exc), fmt, "validate")
    except EngineUnavailable as exc:
        return report.usage_error(f"cannot run Prisma's validator: {exc}", fmt, "validate")
    except ComposeError as exc:
        report.emit([*warnings, *exc.diagnostics], fmt, command="validate", exit_code=1)
        return 1
    finally:
        if engine is not None:
            engine.close()
    errors = [d for d in found if d.severity == "error"]
    code = 1 if errors else 0
    outputs = [{"target": t.target.name, "path": f.path} for t in comp.targets for f in t.files]
    report.emit([*warnings, *found], fmt, command="validate", exit_code=code, outputs=outputs)
    if fmt != "json":
        ms = (time.perf_counter() - started) * 1000
        names = ", ".join(t.target.name for t in comp.targets) or "no targets"
        verdict = f"rejected: {len(errors)} error(s)" if errors else "valid"
        print(f"compose: {names}: {verdict} ({label}, {ms:.0f} ms)", file=sys.stderr)
    return code
