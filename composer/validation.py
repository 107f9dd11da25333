"""Prisma's own validator on composed targets, its diagnostics at the fragment lines.

Each output, exactly as `build` would write it, is given to Prisma's schema engine
(`@prisma/prisma-schema-wasm`, what `prisma validate` runs) through the Node bridge; every error
Prisma reports is sent back through the output's source map (`sourcemap.OutputMap`) to the fragment
line (or YAML entity line, or manifest key) that produced it. An error found in several targets (a
fragment shared by two targets) is reported once. Which engine: `engine_choice.choose_engine`.

Used by `compose validate`, `compose build --validate`, `compose format` (the engine) and the Python
API (`composer.validate`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import pipeline, quick_exit
from .diagnostics import Diagnostic
from .prisma_wasm import PrismaWasmError
from .sources import Loader, LoadResult

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .compose import ComposedTarget
    from .engine_choice import EngineChoice
    from .manifest import Manifest
    from .prisma_wasm import PrismaWasm
    from .sourcemap import OutputMap

PRISMA_ERROR = "P1012"  # Prisma's own code for "schema validation error"
PRISMA_WARNING = "W610"


@dataclass
class Engine:
    wasm: PrismaWasm
    choice: EngineChoice
    targets: list[str] = field(default_factory=list)  # the targets it validated, for the engine line

    def describe(self) -> dict[str, Any]:
        """The engine that ran: `label` (the engine line), `prisma`, `build`, `source`, ..."""
        try:
            info = self.wasm.info()
        except Exception:
            info = None  # never started (or cannot): the choice alone says what was meant
        return self.choice.describe(info)

    @property
    def label(self) -> str:
        return str(self.describe()["label"])

    def close(self) -> None:
        self.wasm.close(kill=True)  # a one-shot run: nothing is lost by ending Node now


class EngineUnavailable(pipeline.UsageError):
    """Prisma's engine cannot be run here (exit 2): no Node.js, no engine, a bad `prisma` choice."""


def open_engine(root: Path, prisma: str = "auto", needs: str | None = None, one_shot: bool = False) -> Engine:
    """The schema engine for the project (started lazily; `warm()` starts it in the background).

    `needs`: the Prisma major the schema is written for (`schema_needs`), used when the project
    has no Prisma of its own. The choice itself is `engine_choice.choose_engine`. `one_shot`: the
    engine validates once, after a warm-up, and ends (`PrismaWasm(one_shot=True)`).
    """
    from .engine_choice import choose_engine

    if prisma not in ("auto", "6", "7"):
        raise EngineUnavailable(f"--prisma expects auto, 6 or 7, not `{prisma}`")
    choice = choose_engine(root, needs, prisma)
    return Engine(choice.open(cwd=str(root), one_shot=one_shot), choice)


def warm(engine: Engine) -> None:
    """Start Node, load Prisma's engine and have it compile its common code (`PrismaWasm.warm`),
    without waiting for it: Node works while Python composes."""
    with contextlib.suppress(PrismaWasmError):  # no Node, say: the first real call reports it
        engine.wasm.warm()


class Engines:
    """The engines of one run: the project's, or, with no Prisma in the project, the shipped
    engine of the major each target's schema needs (`schema_needs` of its composed text)."""

    def __init__(self, root: Path, prisma: str = "auto") -> None:
        self.root = root
        self.prisma = prisma
        self.project = open_engine(root, prisma, one_shot=True)
        self.by_major: dict[str, Engine] = {}
        if self.project.choice.by_schema:
            # Which major is not known before the fragments are read: Node starts now all the
            # same, and the first engine opened takes its process over (`expect`).
            with contextlib.suppress(PrismaWasmError):
                self.project.wasm.spawn()
        else:
            warm(self.project)  # known before composing: Node starts while Python composes

    def expect(self, major: str) -> None:
        """Start the engine of `major` now, when the schema decides (no Prisma in the project):
        a guess made from the fragments before composing, so that Node works while Python
        composes; `for_target` still picks by the composed text, so a wrong guess costs only
        time."""
        if self.project.choice.by_schema and major not in self.by_major:
            engine = self.by_major[major] = open_engine(self.root, self.prisma, major, one_shot=True)
            engine.wasm.adopt(self.project.wasm)
            warm(engine)

    def for_target(self, composed: ComposedTarget, texts: Iterable[str]) -> Engine:
        """The engine for a composed target whose outputs are `texts`."""
        from .engine_choice import schema_needs

        if not self.project.choice.by_schema:
            engine = self.project
        else:
            needs = schema_needs(texts)
            self.expect(needs)
            engine = self.by_major[needs]
        engine.targets.append(composed.target.name)
        return engine

    def loader(self) -> Loader:
        """A `Loader` that, once the fragments are read, starts the engine they need (`expect`)."""
        return _ExpectingLoader(self)

    def used(self) -> list[Engine]:
        return [e for e in (self.project, *self.by_major.values()) if e.targets]

    def describe(self) -> list[dict[str, Any]]:
        """For `--format json`: each engine that ran, with its `targets`."""
        return [{**e.describe(), "targets": list(e.targets)} for e in self.used()]

    def line(self, verb: str = "validated") -> str:
        """The engine line: `compose: validated with Prisma 6.19.0 (shipped engine; ...)`."""
        used = self.used()
        if len(used) == 1:
            return f"compose: {verb} with {used[0].label}"
        parts = [f"{', '.join(e.targets)} with {e.label}" for e in used]
        return f"compose: {verb} {'; '.join(parts)}"

    def close(self) -> None:
        for engine in (self.project, *self.by_major.values()):
            engine.close()


def prisma_diagnostics(targets: list[ComposedTarget], engines: Engines) -> list[Diagnostic]:
    """Prisma's errors and warnings for each target, at the fragment lines they come from.

    Raises EngineUnavailable when Prisma cannot be run.
    """
    from .seal import seal

    # Every target's schema is sent first; the source maps are made while Node validates.
    asked = []
    for composed in targets:
        files = [(f.path, seal(composed.banner, f.pieces())) for f in composed.files]
        try:
            engine = engines.for_target(composed, [text for _, text in files])
            asked.append((composed, files, engine.wasm.validation(files)))
        except PrismaWasmError as exc:
            raise EngineUnavailable(str(exc)) from exc
    from .sourcemap import OutputMap

    found: dict[tuple[object, ...], tuple[Diagnostic, list[str]]] = {}
    for composed, files, validation in asked:
        sealed = zip(composed.files, files, strict=True)
        maps = {m.path: m for m in (OutputMap(composed, f, text) for f, (_, text) in sealed)}
        quick_exit.hold(maps)
        try:
            results = validation()
        except PrismaWasmError as exc:
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


def start(manifest: str | None, targets: list[str] | None, prisma: str = "auto") -> tuple[Manifest, Engines]:
    """Find the manifest, start the engine, load the manifest and check the targets.

    The engine depends only on the manifest's folder, so Node starts (in the background) before
    the manifest is read; a usage error found after it (an unknown target) ends it again.
    """
    from .manifest import load_manifest

    path = pipeline.locate_manifest(manifest)
    engines = Engines(path.parent, prisma)
    try:
        loaded = load_manifest(path)
        pipeline.pick_targets(loaded, targets)
    except BaseException:
        engines.close()
        raise
    return loaded, engines


@dataclass
class Validation:
    """One run of Prisma's validator over composed targets."""

    composition: pipeline.Composition
    diagnostics: list[Diagnostic]  # Prisma's errors and warnings, at the fragment lines
    engines: list[dict[str, Any]]  # each engine that ran (`Engines.describe`)
    line: str  # the engine line: `compose: validated with Prisma 6.19.0 (...)`


def validate_project(manifest: str | None, targets: list[str] | None, prisma: str = "auto") -> Validation:
    """Compose the targets in memory and validate them with Prisma; writes nothing.

    Raises UsageError (EngineUnavailable among them) and ComposeError; Prisma rejecting a target
    is not an exception, but error diagnostics in the result.
    """
    loaded, engines = start(manifest, targets, prisma)
    try:
        comp = pipeline.compose_project(loaded, targets, engines.loader())
        quick_exit.hold(comp)  # in a one-shot run, freed by the process's end (quick_exit.py)
        found = prisma_diagnostics(comp.targets, engines)
        return Validation(comp, found, engines.describe(), engines.line())
    finally:
        engines.close()


class _ExpectingLoader(Loader):
    def __init__(self, engines: Engines) -> None:
        super().__init__()
        self.engines = engines
        # No Prisma in the project: the engine is guessed from the first datasource read (Prisma
        # allows one), so that Node warms up while the rest is read and parsed; the guess is
        # checked once every fragment is read.
        self.guess = engines.project.choice.by_schema

    def on_read(self, text: str) -> None:
        if self.guess:
            from .engine_choice import datasource_needs

            needs = datasource_needs(text)
            if needs is not None:
                self.guess = False
                self.engines.expect(needs)

    def load(self, manifest: Manifest) -> LoadResult:
        from .engine_choice import schema_needs

        loaded = super().load(manifest)
        if self.engines.project.choice.by_schema:
            self.engines.expect(schema_needs(f.source.text for f in loaded.fragments))
        return loaded
